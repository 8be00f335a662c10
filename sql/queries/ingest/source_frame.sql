-- One table already read into text cells (a workbook sheet or a REDCap instrument), registered by
-- registry.validate._stage_frame as _import_frame for the one parse_file.sql that reads it.
(select * from _import_frame)
