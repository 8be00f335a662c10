"""A small hand-built registry for the cohort, query and export tests: members are computed by hand.

Patients (site, sex, born, diagnosed, primary, grade, Ki-67), timepoints (date score), treatments, outcomes:
A1 sydney female 1950-01-01 2012-01-10 pancreas G2 5;  2012-02-01 P1, 2013-06-01 P5;
   octreotide 2012-01-20, PRRT 2012-03-01; death 2016-01-01
A2 sydney male 1960-06-15 2013-03-01 pancreas G1 1.5;  2013-04-01 P1, 2013-05-01 P5; PRRT 2013-05-01;
   last contact 2020-01-01
A3 london female 1970-02-01 2014-05-01 small_bowel G2 10;  2014-06-01 P3; CAPTEM 2014-07-01;
   progression 2015-06-01, last contact 2019-01-01
A4 london male 1945-03-03 2011-07-01 pancreas G3 30;  2011-08-01 P5; PRRT 2011-06-01,
   platinum/etoposide 2011-09-01; death 2012-06-01
A5 brussels female 1980-12-12 2015-01-15 rectum G2 20;  2015-02-01 P2, 2016-02-01 P2; PRRT 2016-03-01;
   last contact 2021-01-01
A6 brussels male (no birth date) 2016-02-02 pancreas G2 (no Ki-67);  2016-03-01 unscored; PRRT 2016-04-01;
   last contact 2018-01-01
A7 sydney other 1955-05-05 2012-09-09 lung NEC 60;  2012-10-01 P5; no treatment; death 2013-01-01
A8 sydney female 1965-07-07 2017-01-01 pancreas G2 3;  no timepoint; PRRT 2017-02-01; last contact 2019-06-01
Each timepoint's FDG scan is on the timepoint date and its SSTR scan 7 days earlier.
"""

from __future__ import annotations

from datetime import date, timedelta

from netpet.registry import Registry

D = date.fromisoformat

PATIENTS = [
    ("A1", "sydney", "female", D("1950-01-01"), D("2012-01-10"), "pancreas", "G2", 5.0),
    ("A2", "sydney", "male", D("1960-06-15"), D("2013-03-01"), "pancreas", "G1", 1.5),
    ("A3", "london", "female", D("1970-02-01"), D("2014-05-01"), "small_bowel", "G2", 10.0),
    ("A4", "london", "male", D("1945-03-03"), D("2011-07-01"), "pancreas", "G3", 30.0),
    ("A5", "brussels", "female", D("1980-12-12"), D("2015-01-15"), "rectum", "G2", 20.0),
    ("A6", "brussels", "male", None, D("2016-02-02"), "pancreas", "G2", None),
    ("A7", "sydney", "other", D("1955-05-05"), D("2012-09-09"), "lung", "NEC", 60.0),
    ("A8", "sydney", "female", D("1965-07-07"), D("2017-01-01"), "pancreas", "G2", 3.0),
]
#: (timepoint_id, patient_id, timepoint date, recorded score)
TIMEPOINTS = [
    ("T1", "A1", D("2012-02-01"), 1),
    ("T2", "A1", D("2013-06-01"), 5),
    ("T3", "A2", D("2013-04-01"), 1),
    ("T4", "A2", D("2013-05-01"), 5),
    ("T5", "A3", D("2014-06-01"), 3),
    ("T6", "A4", D("2011-08-01"), 5),
    ("T7", "A5", D("2015-02-01"), 2),
    ("T8", "A5", D("2016-02-01"), 2),
    ("T9", "A6", D("2016-03-01"), None),
    ("T10", "A7", D("2012-10-01"), 5),
]
TREATMENTS = [
    ("R1", "A1", "ssa_octreotide", D("2012-01-20")),
    ("R2", "A1", "prrt_lu177_dotatate", D("2012-03-01")),
    ("R3", "A2", "prrt_lu177_dotatate", D("2013-05-01")),
    ("R4", "A3", "capecitabine_temozolomide", D("2014-07-01")),
    ("R5", "A4", "prrt_lu177_dotatate", D("2011-06-01")),
    ("R6", "A4", "platinum_etoposide", D("2011-09-01")),
    ("R7", "A5", "prrt_lu177_dotatate", D("2016-03-01")),
    ("R8", "A6", "prrt_lu177_dotatate", D("2016-04-01")),
    ("R9", "A8", "prrt_lu177_dotatate", D("2017-02-01")),
]
OUTCOMES = [
    ("A1", "death", D("2016-01-01")),
    ("A2", "last_contact", D("2020-01-01")),
    ("A3", "progression", D("2015-06-01")),
    ("A3", "last_contact", D("2019-01-01")),
    ("A4", "death", D("2012-06-01")),
    ("A5", "last_contact", D("2021-01-01")),
    ("A6", "last_contact", D("2018-01-01")),
    ("A7", "death", D("2013-01-01")),
    ("A8", "last_contact", D("2019-06-01")),
]


def fill_fixture(reg: Registry) -> None:
    """Insert the fixture rows into an empty registry."""
    from netpet.registry.analysis_tables import refresh_analysis_tables

    with reg.transaction() as con:
        con.executemany(
            "insert into patients (patient_id, site, sex, birth_date, diagnosis_date, primary_site, "
            "who_grade, ki67_percent) values (?, ?, ?, ?, ?, ?, ?, ?)",
            PATIENTS,
        )
        scans = []
        for tp_id, patient, day, _ in TIMEPOINTS:
            scans.append((f"{tp_id}-sstr", patient, "ga68_dotatate", day - timedelta(days=7)))
            scans.append((f"{tp_id}-fdg", patient, "fdg", day))
        con.executemany(
            "insert into pet_scans (scan_id, patient_id, tracer, scan_date) values (?, ?, ?, ?)", scans
        )
        con.executemany(
            "insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score) "
            "values (?, ?, ?, ?, ?)",
            [(t, p, f"{t}-sstr", f"{t}-fdg", s) for t, p, _, s in TIMEPOINTS],
        )
        con.executemany(
            "insert into treatments (treatment_id, patient_id, treatment, start_date) values (?, ?, ?, ?)",
            TREATMENTS,
        )
        con.executemany("insert into outcomes (patient_id, outcome, outcome_date) values (?, ?, ?)", OUTCOMES)
        refresh_analysis_tables(con)  # as every write path does

