# Reference values for netpet.analysis.survival.rmst: restricted mean survival time as R's survfit prints it
# (summary(fit, rmean = tau)$table: rmean, se(rmean)), and differences between levels as survRM2's rmst2
# computes them (survRM2 is not installed here; its formula, written out below, is
#   difference = rmst_1 - rmst_0, se = sqrt(se_1^2 + se_0^2), CI difference -/+ qnorm(0.975) se,
#   p = 2 pnorm(-|difference| / se)).
#
# Run from the repository root after concordance.R (which writes the input CSVs):
#   Rscript tests/reference/validation/rmst.R      (R 4.2, survival 3.5.3)
# Writes rmst.csv (case, level, rmean, se) and rmst_differences.csv (case, level, reference, difference,
# se, lower, upper, p).
library(survival)
stopifnot(packageVersion("survival") == "3.5.3")
out <- "tests/reference/validation"
options(digits = 15)
read_input <- function(name) read.csv(file.path(out, paste0(name, ".csv")))
lung_in <- read_input("lung")
veteran_in <- read_input("veteran")
pbc_in <- read_input("pbc")
colon_in <- read_input("colon")

cases <- list(
  # case = list(data, group column or NA, tau)
  lung_sex = list(lung_in, "sex", 500),
  lung_all = list(lung_in, NA, 365),
  veteran_celltype = list(veteran_in, "celltype", 200),
  veteran_beyond_last = list(veteran_in, "celltype", 600),  # tau past the last time of some levels
  pbc_edema = list(pbc_in, "edema", 3000),
  colon_rx = list(colon_in, "rx", 2000)
)

rmst_rows <- function(case, spec) {
  d <- spec[[1]]; group <- spec[[2]]; tau <- spec[[3]]
  if (is.na(group)) {
    fit <- survfit(Surv(time, event) ~ 1, d)
    tab <- t(as.matrix(summary(fit, rmean = tau)$table))
    level <- "all"
  } else {
    d$group <- as.character(d[[group]])
    fit <- survfit(Surv(time, event) ~ group, d)
    tab <- summary(fit, rmean = tau)$table
    level <- sub("^group=", "", rownames(tab))
  }
  data.frame(case = case, level = level, tau = tau, rmean = tab[, "rmean"], se = tab[, "se(rmean)"])
}
rows <- do.call(rbind, Map(rmst_rows, names(cases), cases))
write.csv(rows, file.path(out, "rmst.csv"), row.names = FALSE)

difference_rows <- function(part) {
  reference <- part[1, ]
  others <- part[-1, ]
  difference <- others$rmean - reference$rmean
  se <- sqrt(others$se^2 + reference$se^2)
  data.frame(case = others$case, level = others$level, reference = reference$level,
             difference = difference, se = se, lower = difference - qnorm(0.975) * se,
             upper = difference + qnorm(0.975) * se, p = 2 * pnorm(-abs(difference) / se))
}
grouped <- rows[rows$level != "all", ]
differences <- do.call(rbind, lapply(split(grouped, factor(grouped$case, unique(grouped$case))),
                                     difference_rows))
write.csv(differences, file.path(out, "rmst_differences.csv"), row.names = FALSE)
