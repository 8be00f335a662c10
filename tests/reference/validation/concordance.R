# Reference values for netpet.analysis.survival.discrimination (Harrell's and Uno's C, and the comparison of several C's),
# from R's survival package.
#
# Run from the repository root:  Rscript tests/reference/validation/concordance.R
# (R 4.2, survival 3.5.3). Writes the input data sets (lung, veteran, pbc, colon) as CSVs and reads them
# back, so that R and Python see identical numbers; then
#   concordance.csv  one row per case: c, se (sqrt(var)), the five counts (weighted for timewt = "n/G2")
#   comparison.csv   per timewt, each fit against the first ("bili"): c, se, and the contrast c - c_bili
#                    with its SE from the joint IJ covariance, 95% CI and two-sided normal p
#   pbc_lp.csv       the linear predictors of the Cox fits compared in comparison.csv
library(survival)
stopifnot(packageVersion("survival") == "3.5.3")
out <- "tests/reference/validation"
options(digits = 15)

write_input <- function(frame, name) {
  write.csv(frame, file.path(out, paste0(name, ".csv")), row.names = FALSE)
  read.csv(file.path(out, paste0(name, ".csv")))
}

lg <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "ph.karno")])
lung_in <- write_input(data.frame(time = lg$time, event = lg$status - 1, age = lg$age, sex = lg$sex,
                                  ph_ecog = lg$ph.ecog, ph_karno = lg$ph.karno), "lung")
veteran_in <- write_input(data.frame(time = veteran$time, event = veteran$status, trt = veteran$trt,
                                     celltype = as.character(veteran$celltype), karno = veteran$karno,
                                     age = veteran$age), "veteran")
pb <- pbc[!is.na(pbc$trt), ]
pbc_in <- write_input(data.frame(time = pb$time, event = as.integer(pb$status == 2), age = pb$age,
                                 bili = pb$bili, albumin = pb$albumin, edema = pb$edema,
                                 stage = pb$stage), "pbc")
cl <- subset(colon, etype == 2)[, c("time", "status", "rx", "nodes", "age")]
cl <- na.omit(cl)
heart_in <- write_input(data.frame(entry = heart$start, time = heart$stop, event = heart$event,
                                   age = heart$age, surgery = heart$surgery), "heart")
colon_in <- write_input(data.frame(time = cl$time, event = cl$status, rx = as.character(cl$rx),
                                   nodes = cl$nodes, age = cl$age), "colon")

count_row <- function(case, fit) {
  k <- if (is.matrix(fit$count)) colSums(fit$count) else fit$count
  data.frame(case = case, c = fit$concordance, se = sqrt(fit$var), n = fit$n,
             concordant = k[["concordant"]], discordant = k[["discordant"]], tied_x = k[["tied.x"]],
             tied_time = k[["tied.y"]], tied_both = k[["tied.xy"]])
}

# Risk scores (higher = shorter survival): reverse = TRUE, as concordance(coxph_fit) does for its lp.
cases <- list(
  lung_age = concordance(Surv(time, event) ~ age, lung_in, reverse = TRUE),
  lung_ecog = concordance(Surv(time, event) ~ ph_ecog, lung_in, reverse = TRUE),
  lung_ecog_strata_sex = concordance(Surv(time, event) ~ ph_ecog + strata(sex), lung_in, reverse = TRUE),
  veteran_karno = concordance(Surv(time, event) ~ I(-karno), veteran_in, reverse = TRUE),
  pbc_bili = concordance(Surv(time, event) ~ bili, pbc_in, reverse = TRUE),
  heart_age_entry = concordance(Surv(entry, time, event) ~ age, heart_in, reverse = TRUE),
  colon_nodes = concordance(Surv(time, event) ~ nodes, colon_in, reverse = TRUE),
  uno_lung_ecog = concordance(Surv(time, event) ~ ph_ecog, lung_in, reverse = TRUE, timewt = "n/G2"),
  uno_veteran_karno = concordance(Surv(time, event) ~ I(-karno), veteran_in, reverse = TRUE,
                                  timewt = "n/G2"),
  uno_pbc_bili = concordance(Surv(time, event) ~ bili, pbc_in, reverse = TRUE, timewt = "n/G2"),
  uno_pbc_bili_tau = concordance(Surv(time, event) ~ bili, pbc_in, reverse = TRUE, timewt = "n/G2",
                                 ymax = 2000),
  uno_colon_nodes_tau = concordance(Surv(time, event) ~ nodes, colon_in, reverse = TRUE,
                                    timewt = "n/G2", ymax = 1500)
)
rows <- do.call(rbind, Map(count_row, names(cases), cases))
write.csv(rows, file.path(out, "concordance.csv"), row.names = FALSE)

# Several fits on the same patients: concordance(fit1, fit2, fit3) with their joint IJ covariance.
fit_bili <- coxph(Surv(time, event) ~ bili, pbc_in)
fit_clinical <- coxph(Surv(time, event) ~ age + edema, pbc_in)
fit_full <- coxph(Surv(time, event) ~ log(bili) + albumin + age + edema, pbc_in)
fit_stage <- coxph(Surv(time, event) ~ stage, pbc_in)
write.csv(data.frame(time = pbc_in$time, event = pbc_in$event, bili = fit_bili$linear.predictors,
                     clinical = fit_clinical$linear.predictors, full = fit_full$linear.predictors),
          file.path(out, "pbc_lp.csv"), row.names = FALSE)
comparison_rows <- function(case, joint) {
  v <- joint$var
  difference <- unname(joint$concordance - joint$concordance[1])
  se_difference <- sqrt(diag(v) + v[1, 1] - 2 * v[, 1])
  data.frame(case = case, fit = c("bili", "clinical", "full"), c = unname(joint$concordance),
             se = sqrt(diag(v)), c_difference = difference, se_difference = se_difference,
             lower = difference - qnorm(0.975) * se_difference,
             upper = difference + qnorm(0.975) * se_difference,
             p = 2 * pnorm(-abs(difference / se_difference)))
}
comparisons <- rbind(
  comparison_rows("n", concordance(fit_bili, fit_clinical, fit_full)),
  comparison_rows("n/G2", concordance(fit_bili, fit_clinical, fit_full, timewt = "n/G2")),
  comparison_rows("n/G2 ymax 3000", concordance(fit_bili, fit_clinical, fit_full, timewt = "n/G2", ymax = 3000))
)
write.csv(comparisons, file.path(out, "comparison.csv"), row.names = FALSE)
