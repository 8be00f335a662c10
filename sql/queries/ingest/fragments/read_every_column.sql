length(concat_ws('', *columns(*))) >= 0
