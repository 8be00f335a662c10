# Reference values for time-varying (counting-process) Cox models, written by R's survival package.
# Run from this folder: Rscript make_reference.R   (R 4, survival 3.5.3, jsonlite)
# Inputs are saved as CSV beside the outputs, so the Python tests fit exactly the rows R fitted.
library(survival)
library(jsonlite)

# pbcseq with the histologic stage as a time-varying "score", built as in the vignette
# "Using Time Dependent Covariates" (tmerge): baseline from pbc, follow-up visits from pbcseq.
temp <- subset(pbc, id <= 312, select = c(id:sex))
pbc2 <- tmerge(temp, temp, id = id, death = event(time, status == 2))
pbc2 <- tmerge(pbc2, pbcseq, id = id, stage = tdc(day, stage), bili = tdc(day, bili))
pbc2 <- subset(pbc2, !is.na(stage) & !is.na(bili))
pbcseq_rows <- data.frame(
  id = pbc2$id, tstart = pbc2$tstart, tstop = pbc2$tstop, death = as.integer(pbc2$death),
  stage = paste0("S", pbc2$stage), log_bili = log(pbc2$bili), age = pbc2$age
)
write.csv(pbcseq_rows, "pbcseq_intervals.csv", row.names = FALSE)

heart_rows <- data.frame(
  id = heart$id, start = heart$start, stop = heart$stop, event = heart$event, age = heart$age,
  year = heart$year, surgery = heart$surgery, transplant = as.integer(as.character(heart$transplant))
)
write.csv(heart_rows, "heart.csv", row.names = FALSE)

small <- read.csv("score_intervals_small.csv")
small$group <- factor(small$group, levels = c("P1", "P2-4", "P5"))

models <- list(
  pbcseq = function(ties) coxph(Surv(tstart, tstop, death) ~ factor(stage) + log_bili + age,
                                data = pbcseq_rows, ties = ties),
  pbcseq_robust = function(ties) coxph(Surv(tstart, tstop, death) ~ factor(stage) + log_bili + age,
                                       data = pbcseq_rows, ties = ties, cluster = id),
  heart = function(ties) coxph(Surv(start, stop, event) ~ age + year + surgery + transplant,
                               data = heart_rows, ties = ties),
  # One zero-length row (C: single timepoint on the death date): Surv() warns "Stop time must be > start
  # time, NA created" and coxph drops the row (na.action), so n is one less than the rows given.
  small = function(ties) suppressWarnings(coxph(Surv(tstart, tstop, event) ~ group, data = small, ties = ties))
)

coefs <- list()
fits <- list()
for (name in names(models)) {
  for (ties in c("efron", "breslow")) {
    fit <- models[[name]](ties)
    s <- summary(fit)$coefficients
    se_col <- if ("robust se" %in% colnames(s)) "robust se" else "se(coef)"
    coefs[[length(coefs) + 1]] <- data.frame(
      model = name, ties = ties, term = rownames(s), coef = s[, "coef"], se = s[, se_col],
      naive_se = s[, "se(coef)"], z = s[, "z"], p = s[, "Pr(>|z|)"], row.names = NULL
    )
    fits[[length(fits) + 1]] <- data.frame(
      model = name, ties = ties, n = fit$n, nevent = fit$nevent,
      dropped = if (is.null(fit$na.action)) 0L else length(fit$na.action),
      loglik_null = fit$loglik[1], loglik = fit$loglik[2],
      lr = 2 * diff(fit$loglik), wald = unname(fit$wald.test), score = unname(fit$score),
      robust_score = if (is.null(fit$rscore)) NA else unname(fit$rscore), df = length(coef(fit))
    )
  }
}
write.csv(do.call(rbind, coefs), "coefficients.csv", row.names = FALSE)
write.csv(do.call(rbind, fits), "fits.csv", row.names = FALSE)
writeLines(toJSON(list(R = R.version.string, survival = as.character(packageVersion("survival"))),
                  auto_unbox = TRUE), "versions.json")
