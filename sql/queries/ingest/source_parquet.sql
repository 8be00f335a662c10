-- One Parquet file as written, read by parse_file.sql (typed values are cast to text like CSV cells).
read_parquet($path)
