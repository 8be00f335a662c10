# Baseline of `netpet cox --covariates who_grade,age_at_origin` (benchmarks/latency.py): the same patients'
# rows, coxph (Efron) by NETPET group (reference P1) with WHO grade and age, its summary (Wald, LR and score
# tests, concordance) and the proportional-hazards test (cox.zph). The whole process is timed by the caller.
# Usage: Rscript latency_cox.R ROWS.csv
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = TRUE)
d$netpet_group <- relevel(d$netpet_group, ref = "P1")
fit <- coxph(Surv(time, event) ~ netpet_group + who_grade + age_at_origin, data = d)
print(summary(fit))
print(cox.zph(fit))
