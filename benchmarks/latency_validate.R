# Baseline of `netpet validate` (benchmarks/latency.py): the same measures on the same complete-case rows.
# For each scheme: a coxph (Efron) on its columns with AIC, Harrell's C (concordance, reverse = TRUE) and
# Uno's C (timewt = "n/G2"), the time-dependent AUC with its SE at 12, 36 and 60 months
# (riskRegression::Score, cens.model = "km", se.fit = TRUE), calibration at those times (mean Cox-predicted
# survival from survfit(fit, newdata) against the Kaplan-Meier estimate, by level), Harrell's bootstrap
# optimism as rms::validate computes it (REPLICATES refits on resamples), the Kaplan-Meier curves, medians and
# restricted mean survival (survfit's rmean at TAU) by level; against the reference (the first scheme): the
# difference in C with its joint variance (concordance(fit1, fit2)) and the likelihood-ratio test of the
# reference + the scheme (anova). Not included: the figures netpet also writes. Timed whole by the caller.
# Usage: Rscript latency_validate.R ROWS.csv REPLICATES TAU SCHEMES_JSON
suppressMessages({library(survival); library(jsonlite); library(riskRegression)})
args <- commandArgs(TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
replicates <- as.integer(args[2])
tau <- as.numeric(args[3])
schemes <- fromJSON(args[4])
times <- c(12, 36, 60)
set.seed(20231)
y <- Surv(d$time, d$event)
harrell <- function(y, lp) concordance(y ~ lp, reverse = TRUE)$concordance
design <- function(cols) model.matrix(as.formula(paste("~", paste(cols, collapse = "+"))), d)[, -1, drop = FALSE]
fits <- list()
for (scheme in names(schemes)) {
  x <- design(schemes[[scheme]])
  fit <- coxph(y ~ x, x = TRUE)
  fits[[scheme]] <- fit
  lp <- drop(x %*% coef(fit))
  apparent <- harrell(y, lp)
  uno <- concordance(y ~ lp, reverse = TRUE, timewt = "n/G2", ymax = tau)$concordance
  auc <- Score(list(lp = matrix(lp, nrow(d), length(times))), formula = Hist(time, event) ~ 1, data = d,
               times = times, metrics = "auc", cens.model = "km", se.fit = TRUE, null.model = FALSE)$AUC$score
  optimism <- mean(sapply(seq_len(replicates), function(b) {
    s <- sample(nrow(d), replace = TRUE)
    beta <- coef(coxph(y[s] ~ x[s, , drop = FALSE]))
    lp <- x %*% beta
    harrell(y[s], lp[s]) - harrell(y, lp)
  }))
  cat(scheme, "AIC", AIC(fit), "C", apparent, "Uno", uno, "corrected", apparent - optimism, "\n")
  print(auc)
  level <- interaction(as.data.frame(x), drop = TRUE)
  predicted <- summary(survfit(fit, newdata = data.frame(x = I(x))), times = times, extend = TRUE)$surv
  print(aggregate(t(predicted), list(level = level), mean))
  km <- survfit(y ~ level)
  print(summary(km, times = times, extend = TRUE))
  print(km, rmean = tau)
  if (scheme != names(schemes)[1]) {
    print(concordance(fits[[1]], fit))
    both <- coxph(y ~ design(c(schemes[[1]], schemes[[scheme]])))
    print(anova(coxph(y ~ design(schemes[[1]])), both))
  }
}
