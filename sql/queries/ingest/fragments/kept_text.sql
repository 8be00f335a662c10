case when {{stored}} is null or ({{range}}) then r_{{column}} end as r_{{column}}
