# Reference values for netpet.analysis.survival.km and netpet.analysis.survival.logrank, written by R's survival package.
#
# Regenerate (R >= 4 with survival 3.x and jsonlite), from this folder:
#     Rscript make_reference.R
# rossi.csv is lifelines.datasets.load_rossi() written with pandas.to_csv(index=False); every other input
# comes from the data sets that ship with survival. The script writes the input CSVs it analyses
# (<case>.csv: time, event, group and, where used, entry and stratum) and its outputs:
#   km_tables.csv   summary(survfit, censored = TRUE) per case and conf.type
#   km_medians.csv  quantile(survfit, 0.5) per case, group and conf.type, with n and events
#   km_at.csv       summary(survfit, times = at) (extend = FALSE) per case, conf.type "log"
#   tests.json      survdiff (rho 0, 1; with strata), coxph Breslow score tests (delayed entry, trend),
#                   pairwise survdiff with p.adjust(method = "holm")
# Numbers are written with 17 significant digits so that Python reads the same doubles.
suppressPackageStartupMessages({
    library(survival)
    library(jsonlite)
})
stopifnot(packageVersion("survival") >= "3.0")
Sys.setlocale("LC_COLLATE", "C")  # group levels sort by code point, as in Python

g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_csv17 <- function(df, file) {
    for (n in names(df)) if (is.double(df[[n]])) df[[n]] <- g17(df[[n]])
    write.csv(df, file, row.names = FALSE, quote = FALSE)
}
strip <- function(x) sub("^group=", "", x)

# --- inputs -----------------------------------------------------------------------------------------
lung_ok <- lung[!is.na(lung$ph.ecog), ]
odd <- seq_len(nrow(lung)) %% 2 == 1
rossi <- read.csv("rossi.csv")
colon_death <- colon[colon$etype == 2, ]
cases <- list(
    veteran_celltype = data.frame(time = veteran$time, event = veteran$status,
                                  group = as.character(veteran$celltype), stratum = veteran$trt),
    lung_sex = data.frame(time = lung$time, event = as.integer(lung$status == 2),
                          group = ifelse(lung$sex == 1, "male", "female")),
    # ph.ecog 3 has a single patient: a group with one patient, from real data.
    lung_ecog = data.frame(time = lung_ok$time, event = as.integer(lung_ok$status == 2),
                           group = lung_ok$ph.ecog),
    colon_rx = data.frame(time = colon_death$time, event = colon_death$status,
                          group = as.character(colon_death$rx)),
    rossi_fin = data.frame(time = rossi$week, event = rossi$arrest, group = rossi$fin),
    # Months computed two ways (whole weeks plus days, or all days): equal days give times that differ in
    # the last bits, which survival's timefix (aeqSurv) merges before counting ties.
    lung_months = data.frame(
        time = ifelse(odd, (lung$time %/% 7 * 7) / 30.4375 + (lung$time %% 7) / 30.4375, lung$time / 30.4375),
        event = as.integer(lung$status == 2), group = ifelse(lung$sex == 1, "male", "female")),
    # Delayed entry: Surv(entry, time, status), entry between 0 and 40% of the follow-up.
    lung_entry = data.frame(entry = floor(lung$time * ((seq_len(nrow(lung)) %% 5) / 10)),
                            time = lung$time, event = as.integer(lung$status == 2),
                            group = ifelse(lung$sex == 1, "male", "female")),
    # Delayed entry with a log-log band whose 1 - lower is not monotone (group a): quantile.survfit
    # follows approx(), which sorts the band, so the median's lower limit is 3, not 1.
    small_entry = data.frame(
        entry = c(2, 5, 7, 2, 0, 3, 10, 0, 1, 5, 0, 1, 5, 2, 4, 2, 1, 3, 0, 2, 0, 6, 6, 3, 3, 0, 7, 3, 1, 1, 3,
                  1, 5, 0, 0, 7, 1, 1, 0, 0, 4, 6, 0),
        time = c(9, 12, 13, 12, 14, 5, 14, 1, 5, 10, 9, 2, 10, 5, 11, 14, 3, 8, 1, 7, 12, 14, 11, 4, 5, 14, 11,
                 13, 3, 5, 12, 4, 11, 1, 1, 13, 4, 2, 3, 1, 11, 13, 1),
        event = c(1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1,
                  0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1),
        group = c("a", "c", "b", "c", "c", "b", "c", "a", "a", "c", "c", "c", "b", "a", "b", "c", "a", "a", "b",
                  "b", "b", "b", "b", "b", "b", "c", "b", "c", "b", "b", "b", "c", "b", "b", "b", "b", "c", "b",
                  "a", "b", "c", "a", "a")),
    # Hand-made edge cases: events at time zero and event/censor ties (A), one patient (B), all censored (C),
    # a flat S = 0.5 segment to the last time (D: median (2 + 4) / 2 = 3) and between events (E: (2 + 5) / 2).
    edge = data.frame(
        time  = c(0, 0, 2, 2, 4, 4, 7,  5,  3, 6, 9,  1, 2, 3, 4,  1, 2, 5, 6),
        event = c(1, 0, 1, 0, 1, 0, 0,  1,  0, 0, 0,  1, 1, 0, 0,  1, 1, 1, 0),
        group = c(rep("A", 7), "B", rep("C", 3), rep("D", 4), rep("E", 4)))
)
at <- list(veteran_celltype = c(30, 90, 180, 365), lung_sex = c(180, 365, 730), lung_ecog = c(100, 200, 300),
           colon_rx = c(365, 1095, 1826), rossi_fin = c(10, 26, 52), lung_months = c(6, 12, 24),
           lung_entry = c(180, 365, 730), small_entry = c(2, 5, 10), edge = c(0, 1, 2.5, 5, 100))
cat(sprintf("lung_months: %d distinct days, %d distinct month values\n",
            length(unique(lung$time)), length(unique(cases$lung_months$time))))
for (name in names(cases)) write_csv17(cases[[name]], paste0(name, ".csv"))

surv_of <- function(d) if ("entry" %in% names(d)) Surv(d$entry, d$time, d$event) else Surv(d$time, d$event)

# --- Kaplan-Meier ------------------------------------------------------------------------------------
tables <- list(); medians <- list(); ats <- list()
for (name in names(cases)) {
    d <- cases[[name]]
    d$y <- surv_of(d)
    for (ct in c("log", "log-log", "plain", "logit", "arcsin")) {
        fit <- survfit(y ~ group, data = d, conf.type = ct)
        s <- summary(fit, censored = TRUE)
        tables[[length(tables) + 1]] <- data.frame(
            case = name, conf_type = ct, group = strip(as.character(s$strata)), time = s$time,
            n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor, surv = s$surv,
            std_err = s$std.err, lower = s$lower, upper = s$upper)
        q <- quantile(fit, 0.5)
        tab <- summary(fit)$table
        medians[[length(medians) + 1]] <- data.frame(
            case = name, conf_type = ct, group = strip(names(fit$strata)), n = tab[, "records"],
            events = tab[, "events"], median = q$quantile[, 1], median_lower = q$lower[, 1],
            median_upper = q$upper[, 1])
        if (ct == "log") {
            s <- summary(fit, times = at[[name]], extend = FALSE)
            ats[[length(ats) + 1]] <- data.frame(
                case = name, group = strip(as.character(s$strata)), time = s$time, n_risk = s$n.risk,
                n_event = s$n.event, n_censor = s$n.censor, surv = s$surv, std_err = s$std.err,
                lower = s$lower, upper = s$upper)
        }
    }
}
write_csv17(do.call(rbind, tables), "km_tables.csv")
write_csv17(do.call(rbind, medians), "km_medians.csv")
write_csv17(do.call(rbind, ats), "km_at.csv")

# --- tests -------------------------------------------------------------------------------------------
survdiff_row <- function(name, fml, d, rho, strata) {
    sd <- survdiff(fml, data = d, rho = rho)
    expected <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
    df <- sum(expected > 0) - 1
    list(case = name, test = "logrank", rho = rho, strata = strata, chisq = sd$chisq, df = df,
         p = pchisq(sd$chisq, df, lower.tail = FALSE))
}
score_row <- function(name, test, fit, strata) {
    sc <- summary(fit)$sctest
    list(case = name, test = test, rho = 0, strata = strata, chisq = unname(sc["test"]),
         df = unname(sc["df"]), p = unname(sc["pvalue"]))
}
tests <- list()
for (name in names(cases)) {
    d <- cases[[name]]
    d$score <- as.numeric(factor(d$group, levels = sort(unique(d$group))))
    if ("entry" %in% names(d)) {
        # survdiff takes right-censored data only; with delayed entry the log-rank test is the Cox score
        # test with Breslow ties.
        fit <- coxph(Surv(entry, time, event) ~ factor(group), data = d, ties = "breslow")
        tests[[length(tests) + 1]] <- score_row(name, "logrank", fit, FALSE)
        fit <- coxph(Surv(entry, time, event) ~ score, data = d, ties = "breslow")
        tests[[length(tests) + 1]] <- score_row(name, "trend", fit, FALSE)
        next
    }
    for (rho in c(0, 1)) tests[[length(tests) + 1]] <- survdiff_row(name, Surv(time, event) ~ group, d, rho, FALSE)
    fit <- coxph(Surv(time, event) ~ score, data = d, ties = "breslow")
    tests[[length(tests) + 1]] <- score_row(name, "trend", fit, FALSE)
    if ("stratum" %in% names(d)) {
        for (rho in c(0, 1)) {
            tests[[length(tests) + 1]] <- survdiff_row(name, Surv(time, event) ~ group + strata(stratum), d,
                                                       rho, TRUE)
        }
        fit <- coxph(Surv(time, event) ~ score + strata(stratum), data = d, ties = "breslow")
        tests[[length(tests) + 1]] <- score_row(name, "trend", fit, TRUE)
    }
}

pairwise <- list()
for (name in c("veteran_celltype", "colon_rx", "lung_ecog")) {
    d <- cases[[name]]
    levels <- sort(unique(d$group))
    rows <- list()
    for (i in seq_along(levels)) for (j in seq_along(levels)) if (i < j) {
        sub <- d[d$group %in% c(levels[i], levels[j]), ]
        sd <- survdiff(Surv(time, event) ~ group, data = sub)
        rows[[length(rows) + 1]] <- list(case = name, group1 = as.character(levels[i]),
                                         group2 = as.character(levels[j]), chisq = sd$chisq,
                                         p = pchisq(sd$chisq, 1, lower.tail = FALSE))
    }
    padj <- p.adjust(sapply(rows, `[[`, "p"), method = "holm")
    for (k in seq_along(rows)) rows[[k]]$p_adjusted <- padj[k]
    pairwise <- c(pairwise, rows)
}
writeLines(toJSON(list(tests = tests, pairwise = pairwise, survival = as.character(packageVersion("survival"))),
                  auto_unbox = TRUE, digits = I(17), pretty = TRUE), "tests.json")
