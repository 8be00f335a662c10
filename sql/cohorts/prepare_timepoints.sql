-- Start of a cohort build that needs timepoints: read timepoint_scores once into a working table, so that
-- the entry and every timepoint criterion share one evaluation of the view. Depends on: timepoint_scores.
create or replace temp table cohort_timepoints as
select patient_id, timepoint_number, timepoint_date, score
from timepoint_scores;
