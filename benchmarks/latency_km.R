# Baseline of `netpet km --by netpet_group --at 12,24,60` (benchmarks/latency.py): the same patients' rows,
# Kaplan-Meier by NETPET group (survfit, log CI as netpet), the log-rank test (survdiff) and survival at 12,
# 24 and 60 months (summary at times). The whole process is timed by the caller.
# Usage: Rscript latency_km.R ROWS.csv
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = TRUE)
fit <- survfit(Surv(time, event) ~ netpet_group, data = d)
print(fit)
print(survdiff(Surv(time, event) ~ netpet_group, data = d))
print(summary(fit, times = c(12, 24, 60)))
