# R's answers on the random data sets of tests/random_sets.py: the randomized cross-check of issue 15.
#
# Run from the repository root:  python -m tests.random_sets   (writes the data, then runs this script), or
# on data already written:       Rscript tests/reference/random/make_reference.R tests/reference/random
# (R 4, survival 3.5.3.) Input: sets.csv (set, counting, strata, cluster) and data.csv (set, entry, time,
# event, grp, x1, x2, stratum, cl). Output, long and tidy:
#   r_values.csv  set, statistic, name, value   (NA where R gives NA)
#   r_status.csv  set, statistic, outcome (ok | warning | error), message (R's warnings, ' | '-joined)
# Statistics per set; the formula is Surv(entry, time, event) when the set is `counting`, else Surv(time, event):
#   km            survfit(Surv ~ grp, conf.type = "log"): summary(censored = TRUE) rows and quantile(0.5)
#   logrank       survdiff(Surv(time, event) ~ grp [+ strata(stratum)])   (right-censored sets only)
#   cox_efron     coxph(Surv ~ x1 + x2 [+ strata(stratum)] [, cluster = cl], ties = "efron")
#   cox_breslow   the same with ties = "breslow"
#   zph_efron     cox.zph(cox_efron fit)  (transform "km", terms = TRUE); zph_breslow likewise
#   concordance   concordance(Surv ~ x1 [+ strata(stratum)])
# The warning of Surv() on entry >= time ("Stop time must be > start time, NA created") is not kept: it is
# the row count R drops, stored as the value `dropped` of km, and our pipeline counts those rows itself.
library(survival)
stopifnot(packageVersion("survival") == "3.5.3")
args <- commandArgs(trailingOnly = TRUE)
folder <- if (length(args)) args[1] else "tests/reference/random"
options(digits = 15)

sets <- read.csv(file.path(folder, "sets.csv"))
for (flag in c("counting", "strata", "cluster")) sets[[flag]] <- as.logical(sets[[flag]])
data <- read.csv(file.path(folder, "data.csv"))
SURV_NA <- "Stop time must be > start time"

capture <- function(expr) {
  warns <- character()
  value <- withCallingHandlers(
    tryCatch(expr, error = function(e) structure(list(message = conditionMessage(e)), class = "r_error")),
    warning = function(w) {
      if (!grepl(SURV_NA, conditionMessage(w), fixed = TRUE)) warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  list(value = value, warnings = warns)
}

values <- list()
status <- list()
keep <- function(set, statistic, named) {
  if (length(named)) {
    values[[length(values) + 1]] <<- data.frame(set = set, statistic = statistic, name = names(named),
                                                value = unname(as.numeric(named)))
  }
}
record <- function(set, statistic, result) {
  outcome <- if (inherits(result$value, "r_error")) "error" else if (length(result$warnings)) "warning" else "ok"
  message <- if (inherits(result$value, "r_error")) result$value$message else paste(result$warnings, collapse = " | ")
  status[[length(status) + 1]] <<- data.frame(set = set, statistic = statistic, outcome = outcome,
                                              message = message)
  !inherits(result$value, "r_error")
}

surv_of <- function(d, counting) if (counting) Surv(d$entry, d$time, d$event) else Surv(d$time, d$event)

km_values <- function(fit, d, counting) {
  s <- summary(fit, censored = TRUE)
  grp <- if (is.null(s$strata)) rep("all", length(s$time)) else sub("^grp=", "", as.character(s$strata))
  out <- c(dropped = nrow(d) - sum(fit$n))
  for (field in c("n.risk", "n.event", "surv", "std.err", "lower", "upper")) {
    v <- s[[field]]
    names(v) <- paste0(grp, "@", as.character(s$time), ":", sub(".", "_", field, fixed = TRUE))
    out <- c(out, v)
  }
  q <- quantile(fit, 0.5)
  labels <- if (is.null(fit$strata)) "all" else sub("^grp=", "", names(fit$strata))
  for (part in c("quantile", "lower", "upper")) {
    v <- as.numeric(q[[part]])
    names(v) <- paste0(labels, ":median", c(quantile = "", lower = "_lower", upper = "_upper")[[part]])
    out <- c(out, v)
  }
  out
}

cox_values <- function(fit) {
  v <- diag(fit$var)
  naive <- if (is.null(fit$naive.var)) v else diag(fit$naive.var)
  out <- c(n = fit$n, events = fit$nevent, loglik_null = fit$loglik[1], loglik = fit$loglik[2],
           likelihood_ratio = 2 * diff(fit$loglik), wald = unname(fit$wald.test), score = unname(fit$score),
           concordance = unname(fit$concordance["concordance"]), concordance_se = unname(fit$concordance["std"]))
  coef <- fit$coefficients
  out <- c(out, setNames(coef, paste0("coef:", names(coef))), setNames(sqrt(naive), paste0("se:", names(coef))))
  if (!is.null(fit$naive.var)) {
    out <- c(out, setNames(sqrt(v), paste0("robust_se:", names(coef))), robust_score = unname(fit$rscore))
  }
  out
}

zph_values <- function(zph) {
  t <- zph$table
  c(setNames(t[, "chisq"], paste0("chisq:", rownames(t))), setNames(t[, "df"], paste0("df:", rownames(t))))
}

for (i in seq_len(nrow(sets))) {
  meta <- sets[i, ]
  set <- meta$set
  d <- data[data$set == set, ]
  d$grp <- factor(d$grp)
  y <- surv_of(d, meta$counting)
  r <- capture(survfit(y ~ grp, data = d, conf.type = "log"))
  if (record(set, "km", r)) keep(set, "km", km_values(r$value, d, meta$counting))
  if (!meta$counting) {
    form <- if (meta$strata) y ~ grp + strata(stratum) else y ~ grp
    r <- capture(survdiff(form, data = d))
    if (record(set, "logrank", r)) {
      expected <- if (is.matrix(r$value$exp)) rowSums(r$value$exp) else r$value$exp  # as print.survdiff
      keep(set, "logrank", c(chisq = r$value$chisq, df = sum(expected > 0) - 1))
    }
  }
  form <- if (meta$strata) y ~ x1 + x2 + strata(stratum) else y ~ x1 + x2
  for (ties in c("efron", "breslow")) {
    r <- capture(if (meta$cluster) coxph(form, data = d, ties = ties, cluster = cl) else coxph(form, data = d, ties = ties))
    if (record(set, paste0("cox_", ties), r)) {
      keep(set, paste0("cox_", ties), cox_values(r$value))
      z <- capture(cox.zph(r$value))
      if (record(set, paste0("zph_", ties), z)) keep(set, paste0("zph_", ties), zph_values(z$value))
    }
  }
  form <- if (meta$strata) y ~ x1 + strata(stratum) else y ~ x1
  r <- capture(concordance(form, data = d))
  if (record(set, "concordance", r)) {
    keep(set, "concordance", c(c = unname(r$value$concordance), se = sqrt(unname(r$value$var[1]))))
  }
}

write.csv(do.call(rbind, values), file.path(folder, "r_values.csv"), row.names = FALSE)
write.csv(do.call(rbind, status), file.path(folder, "r_status.csv"), row.names = FALSE)
