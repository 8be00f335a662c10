# Reference values for tests/test_validation_reference.py: what R's survival package gives for the measures
# of `netpet.analysis.studies.validation.validate_schemes` on the demo registry's analysed rows (OS from the first dual-PET
# timepoint, months; schemes netpet_group, fdg_status, who_grade, who_grade+age, bjc2023; tau = 48 months;
# times 12, 36, 60).
# demo_frame.csv is those rows (no patient IDs), written by `python -m tests.test_validation_reference`.
# Run from this folder: Rscript validation_study.R  (R 4.2, survival 3.5-3, riskRegression) -> validation_study.csv
library(survival)
d <- read.csv("demo_frame.csv", stringsAsFactors = FALSE)
d$netpet_group <- factor(d$netpet_group, levels = c("P1", "P2-4", "P5"))
d$fdg_status <- factor(d$fdg_status, levels = c("FDG-", "FDG+"))
d$who_grade <- factor(d$who_grade, levels = c("G1", "G2", "G3", "NEC"))
d$extrahepatic <- factor(d$extrahepatic, levels = c("no", "yes"))
tau <- 48
at <- c(12, 36, 60)
fits <- list(
  netpet_group = coxph(Surv(time, event) ~ netpet_group, d),
  fdg_status = coxph(Surv(time, event) ~ fdg_status, d),
  who_grade = coxph(Surv(time, event) ~ who_grade, d),
  "who_grade+age" = coxph(Surv(time, event) ~ who_grade + age_at_diagnosis, d),
  bjc2023 = coxph(Surv(time, event) ~ netpet_group + who_grade + age_at_diagnosis + extrahepatic, d)
)
rows <- list()
add <- function(scheme, measure, key, value) {
  rows[[length(rows) + 1]] <<- data.frame(scheme = scheme, measure = measure, key = as.character(key),
                                          value = sprintf("%.15g", value))
}
for (name in names(fits)) {
  fit <- fits[[name]]
  harrell <- concordance(fit)
  uno <- concordance(fit, timewt = "n/G2", ymax = tau)
  add(name, "harrell_c", "", harrell$concordance)
  add(name, "harrell_c_se", "", sqrt(harrell$var))
  add(name, "uno_c", "", uno$concordance)
  add(name, "uno_c_se", "", sqrt(uno$var))
  add(name, "aic", "", AIC(fit))
}
# Differences in C from the NETPET group with the joint (co)variance of the concordances.
joint <- concordance(fits$netpet_group, fits$fdg_status, fits$who_grade, fits[["who_grade+age"]], fits$bjc2023)
cc <- joint$concordance
v <- joint$var
for (k in 2:length(fits)) {
  add(names(fits)[k], "c_difference", "", cc[k] - cc[1])
  add(names(fits)[k], "c_difference_se", "", sqrt(v[k, k] + v[1, 1] - 2 * v[k, 1]))
}
# Likelihood-ratio tests of adding the NETPET group to the clinical models.
for (name in c("who_grade", "who_grade+age")) {
  test <- anova(fits[[name]], update(fits[[name]], . ~ . + netpet_group))
  add(name, "lr_chisq", "", test$Chisq[2])
  add(name, "lr_df", "", test$Df[2])
}
# Per level of the grouping schemes: medians, RMST, observed and mean predicted survival at the times.
for (name in c("netpet_group", "fdg_status", "who_grade")) {
  km <- survfit(as.formula(paste("Surv(time, event) ~", name)), d)
  table <- summary(km, rmean = tau)$table
  levels <- levels(d[[name]])
  for (i in seq_along(levels)) {
    add(name, "median", levels[i], table[i, "median"])
    add(name, "median_lower", levels[i], table[i, "0.95LCL"])
    add(name, "median_upper", levels[i], table[i, "0.95UCL"])
    add(name, "rmst", levels[i], table[i, "rmean"])
    add(name, "rmst_se", levels[i], table[i, "se(rmean)"])
  }
  at_times <- summary(km, times = at)
  strata <- sub(paste0(name, "="), "", as.character(at_times$strata))
  for (j in seq_along(at_times$time)) {
    add(name, "observed", paste(strata[j], at_times$time[j]), at_times$surv[j])
  }
  predicted <- summary(survfit(fits[[name]], newdata = d), times = at)$surv  # times x patients
  for (lv in levels) {
    mine <- d[[name]] == lv
    for (j in seq_along(at)) add(name, "predicted", paste(lv, at[j]), mean(predicted[j, mine]))
  }
}
# Time-dependent AUC of the Cox linear predictors at the times, as riskRegression::Score computes it.
library(riskRegression)
for (name in names(fits)) {
  d$lp <- fits[[name]]$linear.predictors
  score <- Score(list(lp = d$lp), formula = Hist(time, event) ~ 1, data = d, times = at, metrics = "auc",
                 cens.model = "km", se.fit = TRUE, null.model = FALSE)$AUC$score
  for (j in seq_len(nrow(score))) {
    add(name, "auc", score$times[j], score$AUC[j])
    add(name, "auc_se", score$times[j], score$se[j])
  }
}
write.csv(do.call(rbind, rows), "validation_study.csv", row.names = FALSE, quote = TRUE)
