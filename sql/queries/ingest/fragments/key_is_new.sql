not exists (select 1 from {{table}} r where {{key_match}})
