# Reference values for netpet.analysis.survival.prediction: each patient's predicted survival from a Cox model, as
# summary(survfit(fit, newdata = data), times = times, extend = TRUE)$surv (Efron or Breslow baseline as
# the fit's ties; strata: each patient on the curve of its own stratum; (entry, time] rows for heart).
#
# Run from the repository root after concordance.R (which writes the input CSVs):
#   Rscript tests/reference/validation/prediction.R      (R 4.2, survival 3.5.3)
# Writes prediction.csv: case, row (1-based, the data's row order), time, surv.
library(survival)
stopifnot(packageVersion("survival") == "3.5.3")
out <- "tests/reference/validation"
options(digits = 15)
read_input <- function(name) read.csv(file.path(out, paste0(name, ".csv")))
veteran_in <- read_input("veteran")
veteran_in$celltype <- factor(veteran_in$celltype, levels = c("squamous", "smallcell", "adeno", "large"))
lung_in <- read_input("lung")
pbc_in <- read_input("pbc")
pbc_in$log_bili <- log(pbc_in$bili)
heart_in <- read_input("heart")

cases <- list(
  veteran_efron = list(coxph(Surv(time, event) ~ trt + celltype + karno + age, veteran_in), veteran_in,
                       c(30, 90, 180, 365)),
  lung_breslow = list(coxph(Surv(time, event) ~ age + sex + ph_ecog, lung_in, ties = "breslow"), lung_in,
                      c(5, 100, 300, 700, 1100)),
  lung_strata_sex = list(coxph(Surv(time, event) ~ age + ph_ecog + strata(sex), lung_in), lung_in,
                         c(100, 300, 700)),
  pbc_efron = list(coxph(Surv(time, event) ~ log_bili + albumin + age + edema, pbc_in), pbc_in,
                   c(1000, 2000, 3000)),
  heart_entry = list(coxph(Surv(entry, time, event) ~ age + surgery, heart_in), heart_in, c(50, 200, 1000))
)
rows <- do.call(rbind, Map(function(case, spec) {
  times <- spec[[3]]
  s <- summary(survfit(spec[[1]], newdata = spec[[2]]), times = times, extend = TRUE)
  surv <- matrix(s$surv, nrow = length(times))
  data.frame(case = case, row = rep(seq_len(ncol(surv)), each = length(times)), time = times,
             surv = c(surv))
}, names(cases), cases))
write.csv(rows, file.path(out, "prediction.csv"), row.names = FALSE)
