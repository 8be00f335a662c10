-- Timepoints whose recorded score differs from the derived one (view score_disagreements); $patient_id or null.
select * from score_disagreements
where $patient_id is null or patient_id = $patient_id
order by patient_id, timepoint_number
