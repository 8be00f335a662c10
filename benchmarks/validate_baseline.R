# Baseline for benchmarks/validate_speed.py: what the Python loop does, in R. For each scheme, a Cox model
# (coxph, Efron) on its indicator columns, Harrell's C of its linear predictor (concordance, reverse =
# TRUE), and Harrell's bootstrap optimism as rms::validate computes it (refit on a resample; C there minus
# C of the refit on the original rows). The whole script is timed by the caller.
# Usage: Rscript validate_baseline.R ROWS.csv REPLICATES SCHEMES_JSON
suppressMessages({library(survival); library(jsonlite)})
args <- commandArgs(TRUE)
d <- read.csv(args[1])
replicates <- as.integer(args[2])
schemes <- fromJSON(args[3])
set.seed(20261205)
y <- Surv(d$time, d$event)
harrell <- function(y, lp) concordance(y ~ lp, reverse = TRUE)$concordance
corrected <- sapply(names(schemes), function(scheme) {
  x <- as.matrix(d[, schemes[[scheme]], drop = FALSE])
  apparent <- harrell(y, x %*% coef(coxph(y ~ x)))
  optimism <- mean(sapply(seq_len(replicates), function(b) {
    s <- sample(nrow(d), replace = TRUE)
    beta <- coef(coxph(y[s] ~ x[s, , drop = FALSE]))
    lp <- x %*% beta
    harrell(y[s], lp[s]) - harrell(y, lp)
  }))
  apparent - optimism
})
cat(toJSON(as.list(corrected), auto_unbox = TRUE, digits = 15), "\n")
