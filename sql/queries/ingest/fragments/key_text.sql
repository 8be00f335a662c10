concat_ws('|', {{parts}})
