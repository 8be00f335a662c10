# Baseline of `netpet validate` (benchmarks/latency.py): on the same complete-case rows, for each scheme a
# coxph (Efron) on its columns with AIC, Harrell's C (concordance, reverse = TRUE) and Harrell's bootstrap
# optimism as rms::validate computes it (REPLICATES refits on resamples), the Kaplan-Meier curves, medians and
# restricted mean survival (survfit's rmean at TAU) by level, and the likelihood-ratio test of each scheme
# against the reference + it (anova). Not included (no package for them in base survival): the time-dependent
# AUC, calibration and the figures netpet also writes. The whole process is timed by the caller.
# Usage: Rscript latency_validate.R ROWS.csv REPLICATES TAU SCHEMES_JSON
suppressMessages({library(survival); library(jsonlite)})
args <- commandArgs(TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
replicates <- as.integer(args[2])
tau <- as.numeric(args[3])
schemes <- fromJSON(args[4])
set.seed(20231)
y <- Surv(d$time, d$event)
harrell <- function(y, lp) concordance(y ~ lp, reverse = TRUE)$concordance
design <- function(cols) model.matrix(as.formula(paste("~", paste(cols, collapse = "+"))), d)[, -1, drop = FALSE]
for (scheme in names(schemes)) {
  x <- design(schemes[[scheme]])
  fit <- coxph(y ~ x)
  apparent <- harrell(y, x %*% coef(fit))
  optimism <- mean(sapply(seq_len(replicates), function(b) {
    s <- sample(nrow(d), replace = TRUE)
    beta <- coef(coxph(y[s] ~ x[s, , drop = FALSE]))
    lp <- x %*% beta
    harrell(y[s], lp[s]) - harrell(y, lp)
  }))
  cat(scheme, "AIC", AIC(fit), "C", apparent, "corrected", apparent - optimism, "\n")
  if (length(schemes[[scheme]]) == 1) {
    km <- survfit(as.formula(paste("Surv(time, event) ~", schemes[[scheme]])), data = d)
    print(km, rmean = tau)
  }
  if (scheme != names(schemes)[1]) {
    both <- coxph(y ~ design(c(schemes[[1]], schemes[[scheme]])))
    print(anova(coxph(y ~ design(schemes[[1]])), both))
  }
}
