# Baseline for benchmarks/run_all.py: R's coxph (Efron) on the same rows as netpet's fit_cox, 5 terms.
# Prints the elapsed and the CPU (user + system) seconds of the fit alone, best of 3.
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = TRUE)
d$netpet_group <- relevel(d$netpet_group, ref = "P1")
best <- c(Inf, Inf)
for (i in 1:3) {
  t <- system.time(coxph(Surv(time, event) ~ netpet_group + ki67_percent + age_at_origin + sex + who_grade,
                         data = d))
  if (t[["elapsed"]] < best[1]) best <- c(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]])
}
cat(best, "\n")
