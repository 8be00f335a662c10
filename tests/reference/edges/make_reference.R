# Reference values for the engine at the edges (issue 15): R's answers on the inputs where the engine used to
# disagree with R. Read by tests/test_engine_edges.py and tests/test_concordance_pairs.py.
#
# Regenerate (R >= 4, survival 3.5-3, jsonlite), from the repository root:
#     Rscript tests/reference/edges/make_reference.R
# Writes, in tests/reference/edges/:
#   cases.json           one entry per named case: the data (columns), the R call as text, and R's output
#   concordance_rows.csv random small data sets (set, time, event, x, stratum, entry, cluster), heavy ties
#   concordance_sets.csv per set: which arguments R used and concordance()'s counts, C and sqrt(var)
#   cgd.csv              survival's cgd data (tstart, tstop, status, treat, inherit, steroids, age, id)
# Numbers are written with 17 significant digits (digits = NA) so that Python reads the same doubles.
suppressPackageStartupMessages({
    library(survival)
    library(jsonlite)
})
stopifnot(packageVersion("survival") == "3.5.3")
out <- "tests/reference/edges"
options(warn = 1)

cases <- list()
# Run `expr`, keeping its value and the warnings R gives (as text), like the engine's notes.
with_warnings <- function(expr) {
    warns <- character(0)
    value <- withCallingHandlers(expr, warning = function(w) {
        warns <<- c(warns, conditionMessage(w))
        invokeRestart("muffleWarning")
    })
    list(value = value, warnings = warns)
}
na_null <- function(x) { x <- unname(x); if (length(x) == 0) NULL else x }
cox_output <- function(fit) {
    s <- summary(fit)
    list(coef = na_null(coef(fit)), var = unname(fit$var), loglik = fit$loglik, iter = fit$iter,
         lr = unname(s$logtest), wald = unname(s$waldtest), wald_test = unname(fit$wald.test),
         score = unname(s$sctest), robust_score = if (is.null(fit$rscore)) NULL else unname(s$robscore),
         concordance = unname(fit$concordance[c("concordance", "std")]),
         zph = tryCatch({z <- cox.zph(fit); list(terms = rownames(z$table), table = unname(z$table))},
                        error = function(e) NULL))
}
add_case <- function(name, call, data, run) {
    res <- with_warnings(run(data))
    cases[[name]] <<- list(call = call, data = as.list(data), output = res$value, warnings = res$warnings)
}

# --- defect 1: concordance pair counts ----------------------------------------------------------------
add_case("concordance_issue", "concordance(Surv(time, event) ~ x, d)",
         data.frame(time = c(4, 5, 6, 5, 4), event = c(0, 0, 1, 1, 0), x = c(3, 5, 0, 0, 2)),
         function(d) { f <- concordance(Surv(time, event) ~ x, d)
                       list(c = f$concordance, se = sqrt(f$var), count = unname(f$count)) })
add_case("cox_concordance_issue", "coxph(Surv(time, event) ~ x, d)",
         data.frame(time = c(5, 6, 2, 4, 3, 2, 3, 3, 8), event = c(1, 1, 0, 1, 0, 0, 0, 1, 1),
                    x = c(3, 0, 6, 0, 4, 2, 7, 3, 1)),
         function(d) cox_output(coxph(Surv(time, event) ~ x, d)))
cg <- cgd[, c("tstart", "tstop", "status", "treat", "inherit", "steroids", "age", "id")]
cg$treat <- as.character(cg$treat)
cg$inherit <- as.character(cg$inherit)
write.csv(cg, file.path(out, "cgd.csv"), row.names = FALSE)
cg <- read.csv(file.path(out, "cgd.csv"))
cg$inherit <- factor(cg$inherit, levels = c("X-linked", "autosomal"))
cgd_fit <- coxph(Surv(tstart, tstop, status) ~ treat + inherit + steroids, cg, cluster = id)
cgd_age <- concordance(Surv(tstart, tstop, status) ~ age, cg, cluster = id)
cases$cgd_age <- list(call = "concordance(Surv(tstart, tstop, status) ~ age, cgd, cluster = id)",
                      output = list(c = cgd_age$concordance, se = sqrt(cgd_age$var)), warnings = character(0))
cases$cgd_cluster <- list(call = "coxph(Surv(tstart, tstop, status) ~ treat + inherit + steroids, cgd, cluster = id)",
                          output = cox_output(cgd_fit), warnings = character(0))

# Random small data sets: integer times with many ties, integer or continuous predictors, strata,
# (entry, time] rows including entry == time (R's Surv makes those NA; concordance drops them), clusters.
set.seed(20261205)
rows <- list(); sets <- list()
for (k in 1:300) {
    n <- sample(3:40, 1)
    time <- sample(1:sample(2:8, 1), n, replace = TRUE)
    event <- rbinom(n, 1, runif(1, 0.2, 0.9))
    x <- if (k %% 2) sample(0:sample(1:5, 1), n, replace = TRUE) else round(rnorm(n), 2)
    stratum <- if (k %% 3 == 0) sample(1:2, n, replace = TRUE) else rep(1L, n)
    entry <- if (k %% 4 == 0) pmax(0, time - sample(0:3, n, replace = TRUE, prob = c(0.15, 0.3, 0.3, 0.25)))
             else rep(0, n)
    entry[1] <- 0  # at least one usable row
    cluster <- if (k %% 5 == 0) sample(1:max(2, n %/% 3), n, replace = TRUE) else seq_len(n)
    rows[[k]] <- data.frame(set = k, time = time, event = event, x = x, stratum = stratum, entry = entry,
                            cluster = cluster)
    d <- rows[[k]]
    f <- suppressWarnings(if (k %% 4 == 0) {
        concordance(Surv(entry, time, event) ~ x + strata(stratum), d, cluster = cluster)
    } else concordance(Surv(time, event) ~ x + strata(stratum), d, cluster = cluster))
    count <- if (is.matrix(f$count)) colSums(f$count) else f$count
    sets[[k]] <- data.frame(set = k, counting = k %% 4 == 0, concordant = count[["concordant"]],
                            discordant = count[["discordant"]], tied_x = count[["tied.x"]],
                            tied_y = count[["tied.y"]], c = f$concordance, se = sqrt(f$var))
}
write.csv(do.call(rbind, rows), file.path(out, "concordance_rows.csv"), row.names = FALSE)
sets <- do.call(rbind, sets)
sets$c <- sprintf("%.17g", sets$c); sets$se <- sprintf("%.17g", sets$se)
write.csv(sets, file.path(out, "concordance_sets.csv"), row.names = FALSE, quote = FALSE)

# --- defect 4: a robust variance from fewer clusters than coefficients --------------------------------
set.seed(1)
n <- 60
rob <- data.frame(time = round(rexp(n), 4), event = rbinom(n, 1, 0.7), x1 = round(rnorm(n), 3),
                  x2 = round(rnorm(n), 3), x3 = round(rnorm(n), 3), x4 = round(rnorm(n), 3),
                  x5 = round(rnorm(n), 3), site = sample(1:3, n, TRUE))
add_case("robust_three_clusters", "coxph(Surv(time, event) ~ x1 + x2 + x3 + x4 + x5, d, cluster = site)", rob,
         function(d) { f <- coxph(Surv(time, event) ~ x1 + x2 + x3 + x4 + x5, d, cluster = site)
                       c(cox_output(f), list(wald_rank = survival:::coxph.wtest(f$var, coef(f))$df)) })

# --- defect 5: near-equal times are ties (aeqSurv), in Cox as in survfit -------------------------------
add_case("near_equal_times", "coxph(Surv(time, event) ~ x, d)  # 1 and 1 + 1e-10 are one time",
         data.frame(time = c(1, 1 + 1e-10, 2, 3, 4, 5, 6), event = c(1, 1, 1, 0, 1, 1, 0),
                    x = c(1, 2, 3, 1, 5, 2, 4)),
         function(d) cox_output(coxph(Surv(time, event) ~ x, d)))
add_case("tiny_interval", "coxph(Surv(entry, time, event) ~ x, d)  # stops: aeqSurv exception",
         data.frame(entry = c(0, 1, 2, 0, 1, 3), time = c(1, 1 + 1e-10, 3, 2, 3, 4),
                    event = c(1, 1, 0, 1, 1, 0), x = c(1, 2, 3, 1, 5, 2)),
         function(d) list(error = tryCatch({coxph(Surv(entry, time, event) ~ x, d); ""},
                                           error = function(e) conditionMessage(e))))

# --- defect 7: missing values are left out (na.omit) ------------------------------------------------
add_case("concordance_missing_x", "concordance(Surv(time, event) ~ x, d)",
         data.frame(time = 1:6, event = c(1, 1, 0, 1, 1, 0), x = c(1, NA, 3, 2, 5, 4)),
         function(d) { f <- concordance(Surv(time, event) ~ x, d); list(c = f$concordance, se = sqrt(f$var)) })
lg <- lung[, c("time", "status", "ph.ecog", "sex")]
lg$status <- lg$status - 1
names(lg) <- c("time", "event", "ph_ecog", "sex")
add_case("lung_ecog_missing", "concordance(Surv(time, event) ~ ph_ecog, lung)", lg,
         function(d) { f <- concordance(Surv(time, event) ~ ph_ecog, d); list(c = f$concordance, se = sqrt(f$var)) })
miss <- data.frame(time = c(1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 3, 5, 6, 8, 10, 11),
                   event = c(1, NA, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1),
                   group = c("a", "b", NA, "a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a"),
                   stratum = c(1, 1, 1, 2, 2, NA, 2, 1, 2, 1, 1, 2, 1, 2, 2, 1))
add_case("survfit_missing", "survfit(Surv(time, event) ~ group, d)", miss,
         function(d) { f <- survfit(Surv(time, event) ~ group, d)
                       list(n = unname(f$n), time = f$time, surv = f$surv, n_risk = f$n.risk) })
add_case("survdiff_missing", "survdiff(Surv(time, event) ~ group + strata(stratum), d)", miss,
         function(d) { f <- survdiff(Surv(time, event) ~ group + strata(stratum), d)
                       list(chisq = f$chisq, n = as.vector(f$n)) })
add_case("coxph_missing", "coxph(Surv(time, event) ~ group, d)", miss,
         function(d) cox_output(coxph(Surv(time, event) ~ group, d)))

# --- defect 8: aliased (collinear, constant) columns ---------------------------------------------------
alias <- data.frame(time = 1:8, event = c(1, 1, 0, 1, 1, 0, 1, 1), x1 = c(0.5, 1, 0.1, 0.7, 0.2, 0, 0.9, 0.3))
alias$x2 <- 2 * alias$x1
alias$k <- 3
add_case("aliased_columns", "coxph(Surv(time, event) ~ x1 + x2 + k, d)", alias,
         function(d) cox_output(coxph(Surv(time, event) ~ x1 + x2 + k, d)))
lung_alias <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
lung_alias <- data.frame(time = lung_alias$time, event = lung_alias$status - 1, age = lung_alias$age,
                         sex = lung_alias$sex, ecog = lung_alias$ph.ecog)
lung_alias$age2 <- 2 * lung_alias$age
add_case("lung_collinear", "coxph(Surv(time, event) ~ age + age2 + sex + ecog, d)  # age2 = 2 age", lung_alias,
         function(d) cox_output(coxph(Surv(time, event) ~ age + age2 + sex + ecog, d)))
add_case("lung_collinear_breslow_robust",
         "coxph(Surv(time, event) ~ age + sex + age2 + ecog, d, ties = 'breslow', robust = TRUE)", lung_alias,
         function(d) cox_output(coxph(Surv(time, event) ~ age + sex + age2 + ecog, d, ties = "breslow",
                                      robust = TRUE)))

# --- defect 9: strata of one subject; a survdiff with no events ---------------------------------------
one <- data.frame(time = c(5, 6, 2, 4, 3, 2, 3, 3, 8), event = c(1, 1, 0, 1, 0, 0, 0, 1, 1),
                  x = c(3, 0, 6, 0, 4, 2, 7, 3, 1), s = 1:9)
add_case("strata_of_one", "coxph(Surv(time, event) ~ x + strata(s), d)", one,
         function(d) cox_output(coxph(Surv(time, event) ~ x + strata(s), d)))
# A coefficient heading to infinity with strata: each stratum's risk-set sums must start from 0 (R's
# coxfit6), or a stratum with small scores is lost to another's rounding (fresh random sets, issue 15).
add_case("strata_monotone_4", "coxph(Surv(time, event) ~ x1 + x2 + strata(s), d)",
         data.frame(time = c(2, 4, 2, 2), event = c(1, 1, 1, 1), x1 = c(3, 2, 0, 2),
                    x2 = c(2.634, 0.788, -1.973, 0.286), s = c(4, 1, 1, 3)),
         function(d) cox_output(coxph(Surv(time, event) ~ x1 + x2 + strata(s), d)))
add_case("strata_monotone_6", "coxph(Surv(time, event) ~ x1 + x2 + strata(s), d)",
         data.frame(time = c(10, 14, 9, 20, 8, 13), event = c(1, 1, 1, 1, 1, 1), x1 = c(1, 2, 1, 3, 3, 2),
                    x2 = c(1.604, 0.621, -1.586, 1.157, 0.451, 0.057), s = c(2, 2, 2, 3, 3, 1)),
         function(d) cox_output(coxph(Surv(time, event) ~ x1 + x2 + strata(s), d)))
add_case("survdiff_no_events", "survdiff(Surv(time, event) ~ g, d)",
         data.frame(time = c(1, 2, 3, 4, 5), event = c(0, 0, 0, 0, 0), g = c(1, 1, 2, 2, 2)),
         function(d) { f <- survdiff(Surv(time, event) ~ g, d); list(chisq = f$chisq) })

# --- R's Wald test on a singular matrix (coxph.wtest: cholesky2 with toler.chol, generalised inverse) ----
set.seed(3)
xm <- matrix(round(rnorm(40), 3), 10, 4)
xm[, 3] <- 2 * xm[, 1] + xm[, 2]
vm <- crossprod(xm)
wt <- survival:::coxph.wtest(vm, c(1, 2, 3, 4), .Machine$double.eps^0.75)
cases$wtest_singular <- list(call = "survival:::coxph.wtest(crossprod(x), c(1, 2, 3, 4), .Machine$double.eps^0.75)",
                             data = list(x = unname(xm)),
                             output = list(test = wt$test, df = wt$df, solve = wt$solve), warnings = character(0))

write_json(cases, file.path(out, "cases.json"), auto_unbox = TRUE, digits = NA, na = "null", null = "null",
           pretty = TRUE)
