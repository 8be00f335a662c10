-- Forget the previous refresh record (one row is kept).
delete from analysis_state;
