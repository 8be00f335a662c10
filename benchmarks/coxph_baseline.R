# Baseline for benchmarks/run_all.py: R's coxph (Efron) on the same rows as netpet's fit_cox.
# Usage: Rscript coxph_baseline.R ROWS.csv [counting]
#   default: Surv(time, event) ~ netpet_group + ki67_percent + age_at_origin + sex + who_grade
#   counting: Surv(entry, time, event) ~ netpet_group (the score over time, one row per interval)
# Prints the elapsed and the CPU (user + system) seconds of the fit alone, best of 3.
suppressMessages(library(survival))
args <- commandArgs(TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
d$netpet_group <- relevel(d$netpet_group, ref = "P1")
fit <- if (length(args) > 1 && args[2] == "counting") {
  function() coxph(Surv(entry, time, event) ~ netpet_group, data = d)
} else {
  function() coxph(Surv(time, event) ~ netpet_group + ki67_percent + age_at_origin + sex + who_grade, data = d)
}
best <- c(Inf, Inf)
for (i in 1:3) {
  t <- system.time(fit())
  if (t[["elapsed"]] < best[1]) best <- c(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]])
}
cat(best, "\n")
