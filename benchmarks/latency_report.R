# Baseline of `netpet report --format png` (benchmarks/latency.py): the same patients' rows, survfit and
# survdiff by NETPET group, coxph with WHO grade and age and cox.zph, and one PNG of the curves.
# The whole process is timed by the caller.
# Usage: Rscript latency_report.R ROWS.csv OUT.png
suppressMessages(library(survival))
args <- commandArgs(TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
d$netpet_group <- relevel(d$netpet_group, ref = "P1")
fit <- survfit(Surv(time, event) ~ netpet_group, data = d)
print(summary(fit, times = c(12, 24, 60)))
print(survdiff(Surv(time, event) ~ netpet_group, data = d))
cox <- coxph(Surv(time, event) ~ netpet_group + who_grade + age_at_origin, data = d)
print(summary(cox))
print(cox.zph(cox))
png(args[2], width = 1500, height = 1200, res = 300)
plot(fit, col = 1:3, xlab = "Months", ylab = "Overall survival")
invisible(dev.off())
