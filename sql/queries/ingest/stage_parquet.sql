-- Stage one Parquet file as written; typed values are cast to text by parse_file like CSV cells.
create or replace temp table {{stage}} as select * from read_parquet($path)
