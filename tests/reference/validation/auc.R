# Reference values for netpet.analysis.survival.discrimination.time_dependent_auc: cumulative/dynamic IPCW AUC with its
# influence-function SE and CI, from riskRegression::Score(..., metrics = "auc", cens.model = "km",
# se.fit = TRUE) (riskRegression 2022.11.28, prodlim 2019.11.13).
#
# Cases at t: time <= t with an event, weighted 1 / G(T_i-); controls: time > t, weighted 1 / G(t); G is
# the reverse Kaplan-Meier estimate of the censoring distribution (prodlim, reverse = TRUE). Score takes
# one column of predicted risks per time; the marker is the same at every time, so it is repeated.
#
# Run from the repository root after concordance.R (which writes the input CSVs):
#   Rscript tests/reference/validation/auc.R
# Writes auc.csv: case, time, auc, se, lower, upper.
suppressMessages({library(riskRegression); library(prodlim); library(survival)})
stopifnot(packageVersion("riskRegression") == "2022.11.28")
out <- "tests/reference/validation"
options(digits = 15)
read_input <- function(name) read.csv(file.path(out, paste0(name, ".csv")))

cases <- list(
  # case = list(data, marker (higher = higher risk), times)
  veteran_karno = list(read_input("veteran"), function(d) -d$karno, c(30, 90, 180)),
  pbc_bili = list(read_input("pbc"), function(d) d$bili, c(1000, 2000, 3000)),
  lung_ecog = list(read_input("lung"), function(d) d$ph_ecog, c(180, 365, 730)),
  colon_nodes = list(read_input("colon"), function(d) d$nodes, c(365, 1000, 2000))
)
rows <- do.call(rbind, Map(function(case, spec) {
  d <- spec[[1]]; times <- spec[[3]]
  marker <- matrix(spec[[2]](d), nrow = nrow(d), ncol = length(times))
  s <- Score(list(marker = marker), formula = Hist(time, event) ~ 1, data = d, times = times,
             metrics = "auc", cens.model = "km", se.fit = TRUE, null.model = FALSE)
  a <- as.data.frame(s$AUC$score)
  data.frame(case = case, time = a$times, auc = a$AUC, se = a$se, lower = a$lower, upper = a$upper)
}, names(cases), cases))
write.csv(rows, file.path(out, "auc.csv"), row.names = FALSE)
