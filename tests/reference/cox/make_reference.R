# Reference values for netpet.analysis.survival.cox, netpet.analysis.survival.phtest and netpet.analysis.survival.concordance, from R's survival package.
#
# Run from the repository root:  Rscript tests/reference/cox/make_reference.R
# (R 4, survival 3.5.3). rossi.csv is written once from lifelines.datasets.load_rossi()
# (week -> time, arrest -> event); every other input CSV is written here from survival's data sets.
# Each model is fitted on the data as read back from its CSV, so R and Python see identical numbers.
# Outputs per case: <case>_coef.csv (term, coef, se, robust_se), <case>_fit.csv (one row: n, events,
# logliks, the three model tests, robust score test, concordance and its SE, iterations) and
# <case>_zph.csv (cox.zph(fit, transform = "km", terms = TRUE): term, chisq, df, p, with GLOBAL).
# concordance.csv holds stand-alone concordance() results.
library(survival)
stopifnot(packageVersion("survival") == "3.5.3")
out <- "tests/reference/cox"
options(digits = 15)

write_input <- function(frame, name) {
  write.csv(frame, file.path(out, paste0(name, ".csv")), row.names = FALSE)
  read.csv(file.path(out, paste0(name, ".csv")))
}

vet <- veteran
veteran_in <- write_input(data.frame(time = vet$time, event = vet$status, trt = vet$trt,
                                     celltype = as.character(vet$celltype), karno = vet$karno,
                                     age = vet$age), "veteran")
veteran_in$celltype <- factor(veteran_in$celltype, levels = levels(veteran$celltype))

lg <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
lung_in <- write_input(data.frame(time = lg$time, event = lg$status - 1, age = lg$age, sex = lg$sex,
                                  ph_ecog = lg$ph.ecog), "lung")

cl <- na.omit(colon[, c("id", "time", "status", "rx", "age", "nodes", "sex", "etype")])
colon_in <- write_input(data.frame(id = cl$id, time = cl$time, event = cl$status,
                                   rx = as.character(cl$rx), age = cl$age, nodes = cl$nodes,
                                   sex = cl$sex, etype = cl$etype), "colon")
colon_in$rx <- factor(colon_in$rx, levels = levels(colon$rx))
colon2_in <- subset(colon_in, etype == 2)

rossi_in <- read.csv(file.path(out, "rossi.csv"))

heart_in <- write_input(data.frame(id = heart$id, entry = heart$start, time = heart$stop,
                                   event = heart$event, age = heart$age, year = heart$year,
                                   surgery = heart$surgery,
                                   transplant = as.integer(as.character(heart$transplant))), "heart")

# Edge cases: deaths at time zero, and a stratum ("C") with no events at all.
set.seed(2026)
n <- 80
g <- rep(c("A", "B", "C"), length.out = n)
edge_time <- sample(0:12, n, replace = TRUE)
edge_event <- ifelse(g == "C", 0L, rbinom(n, 1, 0.7))
edge_time[1:4] <- 0
edge_event[1:4] <- 1L
edge_in <- write_input(data.frame(time = edge_time, event = edge_event, x = round(rnorm(n), 3), g = g),
                       "edge")

cases <- list(
  veteran_efron = list(Surv(time, event) ~ trt + celltype + karno + age, veteran_in, "efron", NULL),
  veteran_breslow = list(Surv(time, event) ~ trt + celltype + karno + age, veteran_in, "breslow", NULL),
  lung_efron = list(Surv(time, event) ~ age + sex + ph_ecog, lung_in, "efron", NULL),
  lung_breslow = list(Surv(time, event) ~ age + sex + ph_ecog, lung_in, "breslow", NULL),
  lung_single = list(Surv(time, event) ~ age, lung_in, "efron", NULL),
  colon_strata = list(Surv(time, event) ~ rx + age + nodes + strata(sex), colon2_in, "efron", NULL),
  colon_cluster = list(Surv(time, event) ~ rx + age + nodes + strata(etype), colon_in, "efron", "id"),
  colon_cluster_breslow = list(Surv(time, event) ~ rx + age + nodes + strata(etype), colon_in, "breslow",
                               "id"),
  rossi_efron = list(Surv(time, event) ~ fin + age + race + wexp + mar + paro + prio, rossi_in, "efron",
                     NULL),
  rossi_breslow = list(Surv(time, event) ~ fin + age + race + wexp + mar + paro + prio, rossi_in,
                       "breslow", NULL),
  heart_efron = list(Surv(entry, time, event) ~ age + year + surgery + transplant, heart_in, "efron", NULL),
  heart_breslow = list(Surv(entry, time, event) ~ age + year + surgery + transplant, heart_in, "breslow",
                       NULL),
  heart_cluster = list(Surv(entry, time, event) ~ age + year + surgery + transplant, heart_in, "efron", "id"),
  edge_efron = list(Surv(time, event) ~ x + strata(g), edge_in, "efron", NULL),
  edge_breslow = list(Surv(time, event) ~ x + strata(g), edge_in, "breslow", NULL)
)

for (name in names(cases)) {
  spec <- cases[[name]]
  fit <- if (is.null(spec[[4]])) {
    coxph(spec[[1]], data = spec[[2]], ties = spec[[3]])
  } else {
    coxph(spec[[1]], data = spec[[2]], ties = spec[[3]], cluster = spec[[2]][[spec[[4]]]])
  }
  s <- summary(fit)  # waldtest[["test"]] is rounded there; fit$wald.test is not
  robust <- !is.null(fit$naive.var)
  write.csv(data.frame(term = names(coef(fit)), coef = unname(coef(fit)),
                       se = sqrt(diag(if (robust) fit$naive.var else fit$var)),
                       robust_se = if (robust) sqrt(diag(fit$var)) else NA),
            file.path(out, paste0(name, "_coef.csv")), row.names = FALSE)
  write.csv(data.frame(n = fit$n, events = fit$nevent, loglik0 = fit$loglik[1], loglik = fit$loglik[2],
                       lr = s$logtest[["test"]], lr_df = s$logtest[["df"]], lr_p = s$logtest[["pvalue"]],
                       wald = fit$wald.test, wald_df = s$waldtest[["df"]],
                       wald_p = pchisq(fit$wald.test, s$waldtest[["df"]], lower.tail = FALSE),
                       score = s$sctest[["test"]], score_df = s$sctest[["df"]], score_p = s$sctest[["pvalue"]],
                       robust_score = if (robust) fit$rscore else NA,
                       concordance = unname(fit$concordance["concordance"]),
                       concordance_se = unname(fit$concordance["std"]), iter = fit$iter),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  z <- cox.zph(fit, transform = "km", terms = TRUE)$table
  write.csv(data.frame(term = rownames(z), chisq = z[, "chisq"], df = z[, "df"], p = z[, "p"]),
            file.path(out, paste0(name, "_zph.csv")), row.names = FALSE)
  if (name %in% c("veteran_efron", "heart_efron")) {
    write.csv(data.frame(lp = fit$linear.predictors), file.path(out, paste0(name, "_lp.csv")),
              row.names = FALSE)
  }
}

conc <- function(name, cfit) data.frame(case = name, c = unname(coef(cfit)), se = sqrt(unname(cfit$var)))
write.csv(rbind(
  conc("veteran_karno", concordance(Surv(time, event) ~ karno, data = veteran_in)),
  conc("lung_age_strata_sex", concordance(Surv(time, event) ~ age + strata(sex), data = lung_in)),
  conc("lung_ecog_reverse", concordance(Surv(time, event) ~ ph_ecog, data = lung_in, reverse = TRUE)),
  conc("heart_age", concordance(Surv(entry, time, event) ~ age, data = heart_in)),
  conc("colon_nodes_cluster", concordance(Surv(time, event) ~ nodes, data = colon_in, cluster = id)),
  conc("edge_x", concordance(Surv(time, event) ~ x, data = edge_in))
), file.path(out, "concordance.csv"), row.names = FALSE)

# The log-rank test equals the Cox score test with ties = "exact"; with Breslow ties only when no event
# times are tied (survdiff's hypergeometric variance differs from Breslow's for tied deaths).
untied <- transform(veteran_in, time = time + seq_along(time) / 1000)
write.csv(data.frame(case = c("veteran_celltype", "veteran_celltype_untied"),
                     chisq = c(survdiff(Surv(time, event) ~ celltype, data = veteran_in)$chisq,
                               survdiff(Surv(time, event) ~ celltype, data = untied)$chisq)),
          file.path(out, "logrank.csv"), row.names = FALSE)

# A small NETPET registry for the `netpet cox` command test (tests/test_cli_cox.py inserts these rows):
# one dual-PET timepoint per patient (SSTR scan on scan_date, FDG 3 days before), one outcome per patient.
set.seed(11)
n <- 36
reg <- data.frame(
  patient_id = sprintf("NP%03d", 1:n),
  site = rep(c("sydney", "london", "brussels"), length.out = n),
  sex = rep(c("female", "male"), length.out = n),
  birth_date = as.Date("1950-01-01") + sample(0:7000, n),
  diagnosis_date = as.Date("2014-01-01") + sample(0:500, n),
  primary_site = sample(c("pancreas", "small_bowel", "lung"), n, TRUE),
  who_grade = sample(c("G1", "G2", "G3"), n, TRUE),
  ki67_percent = round(runif(n, 1, 40), 1),
  recorded_score = c(0, 0, rep(c(1, 2, 3, 4, 5, 1, 5), length.out = n - 2))
)
reg$scan_date <- reg$diagnosis_date + 200 + sample(0:100, n)
rate <- c(0.0008, 0.0008, 0.0015, 0.0015, 0.0015, 0.004)[reg$recorded_score + 1]
death_days <- ceiling(rexp(n, rate))
censor_days <- sample(200:1500, n, TRUE)
reg$outcome <- ifelse(death_days <= censor_days, "death", "last_contact")
reg$outcome_date <- reg$scan_date + pmin(death_days, censor_days)
write.csv(transform(reg, birth_date = format(birth_date), diagnosis_date = format(diagnosis_date),
                    scan_date = format(scan_date), outcome_date = format(outcome_date)),
          file.path(out, "registry_patients.csv"), row.names = FALSE)

# What `netpet cox` must reproduce: OS in months (30.4375 days) from the timepoint, P0 excluded.
reg_in <- read.csv(file.path(out, "registry_patients.csv"))
reg_in <- subset(reg_in, recorded_score > 0)
reg_in$netpet_group <- factor(c("P1", "P2-4", "P2-4", "P2-4", "P5")[reg_in$recorded_score],
                              levels = c("P1", "P2-4", "P5"))
reg_in$time <- as.numeric(as.Date(reg_in$outcome_date) - as.Date(reg_in$scan_date)) / 30.4375
reg_in$event <- as.integer(reg_in$outcome == "death")
# From diagnosis: patients enter the risk set at their first timepoint (delayed entry).
reg_in$entry <- as.numeric(as.Date(reg_in$scan_date) - as.Date(reg_in$diagnosis_date)) / 30.4375
reg_in$time_dx <- as.numeric(as.Date(reg_in$outcome_date) - as.Date(reg_in$diagnosis_date)) / 30.4375
registry_cases <- list(
  registry_diagnosis = coxph(Surv(entry, time_dx, event) ~ netpet_group + ki67_percent, data = reg_in),
  registry_group_ki67 = coxph(Surv(time, event) ~ netpet_group + ki67_percent, data = reg_in),
  registry_strata_site = coxph(Surv(time, event) ~ netpet_group + who_grade + strata(site), data = reg_in,
                               ties = "breslow"),
  registry_cluster_site = coxph(Surv(time, event) ~ netpet_group, data = reg_in, cluster = site)
)
for (name in names(registry_cases)) {
  fit <- registry_cases[[name]]
  robust <- !is.null(fit$naive.var)
  write.csv(data.frame(term = names(coef(fit)), coef = unname(coef(fit)),
                       se = sqrt(diag(if (robust) fit$naive.var else fit$var)),
                       robust_se = if (robust) sqrt(diag(fit$var)) else NA),
            file.path(out, paste0(name, "_coef.csv")), row.names = FALSE)
  write.csv(data.frame(n = fit$n, events = fit$nevent, loglik = fit$loglik[2],
                       lr = 2 * diff(fit$loglik), wald = fit$wald.test, score = fit$score,
                       concordance = unname(fit$concordance["concordance"]),
                       concordance_se = unname(fit$concordance["std"])),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  z <- cox.zph(fit)$table
  write.csv(data.frame(term = rownames(z), chisq = z[, "chisq"], df = z[, "df"], p = z[, "p"]),
            file.path(out, paste0(name, "_zph.csv")), row.names = FALSE)
}
