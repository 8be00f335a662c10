-- prrt_without_prior_sstr_pet: PRRT courses with no SSTR PET of the patient on or before their start.
-- Why: PRRT with Lu-177 DOTATATE is selected on SSTR imaging; a course without one is either a missing
-- scan in the registry or a wrongly dated treatment. Severity warning.
select
    'warning' as severity,
    t.patient_id,
    t.treatment_id as record_id,
    'PRRT started ' || t.start_date || ' without an SSTR PET on or before that date' as message
from treatments as t
where t.treatment = 'prrt_lu177_dotatate'
  and not exists (
    select 1 from pet_scans as s
    where s.patient_id = t.patient_id and s.tracer <> 'fdg' and s.scan_date <= t.start_date
  )
