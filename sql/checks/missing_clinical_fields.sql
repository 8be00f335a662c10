-- missing_clinical_fields: patients without a WHO grade, a Ki-67 index or a known primary site.
-- Why: grade and Ki-67 are covariates of every prognostic model (Chan et al. 2023 adjust for grade) and
-- primary site defines the GEP-NEN cohort; a record without them drops out of adjusted analyses.
-- One row per patient and missing field. Severity warning: the record is usable, but incomplete.
select 'warning' as severity, patient_id, null::varchar as record_id, 'WHO grade is missing' as message
from patients where who_grade is null
union all
select 'warning', patient_id, null, 'Ki-67 index is missing'
from patients where ki67_percent is null
union all
select 'warning', patient_id, null, 'primary site is unknown'
from patients where primary_site = 'unknown'
