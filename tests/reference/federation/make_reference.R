# Reference values for tests/test_federation.py: R's survival on the combined rows of three sites.
# Run from this folder: Rscript make_reference.R  (R 4, survival 3.5-3, jsonlite).
# Writes combined.csv (the rows: site, group, time in months = days / 30.4375, event; no IDs, no dates)
# and reference.json (survfit table, survdiff, stratified survdiff, coxph with strata(site), both ties).
library(survival)
library(jsonlite)
set.seed(20261125)
sites <- c("north", "south", "west")
n <- c(north = 140, south = 90, west = 60)
medians <- c(P1 = 100, "P2-4" = 46, P5 = 12)  # months, as the NETPET validation study
rows <- do.call(rbind, lapply(sites, function(s) {
  group <- sample(names(medians), n[[s]], replace = TRUE, prob = c(0.4, 0.4, 0.2))
  death <- 7 * ceiling(rexp(n[[s]], log(2) / (medians[group] * 30.4375)) / 7)  # seen at weekly visits: ties
  censor <- ceiling(runif(n[[s]], 90, 3000))
  days <- pmin(death, censor)
  data.frame(site = s, group = group, days = days, event = as.integer(death <= censor))
}))
rows$time <- rows$days / 30.4375
rows$group <- factor(rows$group, levels = names(medians))
write.csv(rows[, c("site", "group", "days", "event")], "combined.csv", row.names = FALSE)

fit <- survfit(Surv(time, event) ~ group, data = rows)
s <- summary(fit, censored = TRUE)
km <- data.frame(group = sub("group=", "", as.character(s$strata)), time = s$time, n_risk = s$n.risk,
                 n_event = s$n.event, surv = s$surv, std_err = s$std.err)
q <- quantile(fit, 0.5)
medians_out <- data.frame(group = sub("group=", "", rownames(q$quantile)), median = unname(q$quantile[, 1]),
                          lower = unname(q$lower[, 1]), upper = unname(q$upper[, 1]))
lr <- survdiff(Surv(time, event) ~ group, data = rows)
lrs <- survdiff(Surv(time, event) ~ group + strata(site), data = rows)
cox <- function(ties) {
  m <- coxph(Surv(time, event) ~ group + strata(site), data = rows, ties = ties)
  list(term = sub("group", "netpet_group=", names(coef(m))), coef = unname(coef(m)),
       se = unname(sqrt(diag(vcov(m)))), loglik = m$loglik, iterations = m$iter,
       wald = unname(m$wald.test), score = unname(m$score))
}
out <- list(km = km, medians = medians_out,
            logrank = list(chisq = lr$chisq, df = length(lr$n) - 1),
            logrank_stratified = list(chisq = lrs$chisq),
            cox_efron = cox("efron"), cox_breslow = cox("breslow"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "reference.json")
