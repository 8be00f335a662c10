# R on a pilot site's registry of 7 patients (issue 15, defect 6): coxph warns, the estimates are undefined.
#
# Run from the repository root:  Rscript tests/reference/small/make_reference.R   (R 4, survival 3.5.3)
# pilot_sites.csv holds the rows `netpet cox --covariates who_grade` analyses on the demo registries built
# with `netpet demo --patients 7 --seed S` for S = 1, 2, 3 (time in months from the first timepoint).
# Output r_fits.csv: per seed and term, R's coefficient and SE, and R's warnings (' | '-joined).
library(survival)
stopifnot(packageVersion("survival") == "3.5.3")
out <- "tests/reference/small"
options(digits = 15)
rows <- read.csv(file.path(out, "pilot_sites.csv"))
fits <- list()
for (seed in unique(rows$seed)) {
  d <- rows[rows$seed == seed, ]
  warns <- character()
  fit <- withCallingHandlers(
    coxph(Surv(time, event) ~ factor(netpet_group) + factor(who_grade), data = d),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  fits[[length(fits) + 1]] <- data.frame(
    seed = seed, term = names(coef(fit)), coef = unname(coef(fit)), se = sqrt(diag(fit$var)),
    warnings = paste(warns, collapse = " | "))
}
write.csv(do.call(rbind, fits), file.path(out, "r_fits.csv"), row.names = FALSE)
