-- duplicate_patients: pairs of patients with the same birth date, sex, diagnosis date and primary site.
-- Why: the same person registered twice (e.g. by two sites, or after a pseudonym change) counts twice in
-- every analysis. One row per patient of the pair; record_id names the other. Severity warning: a
-- person may truly share these, so the data manager decides.
with keyed as (
    select patient_id, birth_date, sex, diagnosis_date, primary_site from patients
    where birth_date is not null and sex is not null
)
select
    'warning' as severity,
    a.patient_id,
    b.patient_id as record_id,
    'same birth date, sex, diagnosis date and primary site as another patient' as message
from keyed as a
join keyed as b
    on a.patient_id <> b.patient_id
   and a.birth_date = b.birth_date and a.sex = b.sex
   and a.diagnosis_date = b.diagnosis_date and a.primary_site = b.primary_site
