# R survival's own test cases (therneau/survival, tests/*.R) that use features the engine has, re-run here
# so that tests/test_rsurvival_port.py can compare with R's values. Each case names its source file and the
# R call as written there (or, marked "adapted", the nearest call without an unsupported feature).
#
# Regenerate (R >= 4, survival 3.5-3, jsonlite), from the repository root:
#     Rscript tests/reference/rsurvival/make_reference.R
# Writes tests/reference/rsurvival/cases.json: per case {file, call, kind, data, output}; the data of the
# larger cases are CSVs beside it (pdata.csv, veteran_epoch.csv, mgus2.csv, lung.csv).
# cox.zph is run with its default transform ("km"), the only one the engine has; R's own tests use
# "identity" and "log" for the same fits. Numbers are written with 17 significant digits (digits = NA).
suppressPackageStartupMessages({
    library(survival)
    library(jsonlite)
})
stopifnot(packageVersion("survival") == "3.5.3")
out <- "tests/reference/rsurvival"
cases <- list()

cox_output <- function(fit) {
    s <- summary(fit)
    z <- tryCatch(cox.zph(fit), error = function(e) NULL)
    list(coef = unname(coef(fit)), var = unname(fit$var), loglik = fit$loglik, lr = unname(s$logtest),
         wald_test = unname(fit$wald.test), wald_df = unname(s$waldtest[["df"]]), score = unname(s$sctest),
         robust_score = if (is.null(fit$rscore)) NULL else unname(s$robscore),
         concordance = unname(fit$concordance[c("concordance", "std")]), n = fit$n, events = fit$nevent,
         zph = if (is.null(z)) NULL else list(terms = rownames(z$table), table = unname(z$table)))
}
conc_output <- function(f) {
    count <- if (is.matrix(f$count)) colSums(f$count) else f$count
    list(c = f$concordance, se = sqrt(f$var), count = unname(count[c("concordant", "discordant", "tied.x")]))
}
add <- function(name, file, call, kind, data, output, csv = NULL) {
    cases[[name]] <<- list(file = file, call = call, kind = kind,
                           data = if (is.null(csv)) as.list(data) else csv, output = output)
}
run <- function(call, data) eval(parse(text = call), list(d = data))

# --- book1.R, book2.R: data set 1 (one NA status), Breslow and Efron ----------------------------------
test1 <- data.frame(time = c(9, 3, 1, 1, 6, 6, 8), status = c(1, NA, 1, 0, 1, 1, 0), x = c(0, 2, 1, 1, 1, 0, 0))
for (case in list(c("book1_breslow", "book1.R", "coxph(Surv(time, status) ~ x, d, method = 'breslow', eps = 1e-8)"),
                  c("book2_efron", "book2.R", "coxph(Surv(time, status) ~ x, d, eps = 1e-8)"))) {
    add(case[1], case[2], case[3], "cox", test1, cox_output(run(case[3], test1)))
}
km1 <- survfit(Surv(time, status) ~ 1, test1)
add("book1_km", "book1.R", "survfit(Surv(time, status) ~ 1, d)  # adapted: no influence = TRUE", "km", test1,
    list(time = km1$time, surv = km1$surv, std_err = km1$std.err, n_risk = km1$n.risk))

# --- book3.R, book4.R: data set 2, (start, stop] rows, Breslow and Efron, and three offset strata -------
test2 <- data.frame(start = c(1, 2, 5, 2, 1, 7, 3, 4, 8, 8), stop = c(2, 3, 6, 7, 8, 9, 9, 9, 14, 17),
                    event = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 0), x = c(1, 0, 0, 1, 0, 1, 1, 1, 0, 0))
test2b <- rbind(test2, test2, test2)
test2b$group <- rep(1:3, each = nrow(test2))
test2b$start <- test2b$start + test2b$group
test2b$stop <- test2b$stop + test2b$group
for (case in list(
    c("book3_breslow", "book3.R", "coxph(Surv(start, stop, event) ~ x, d, eps = 1e-8, method = 'breslow')", "test2"),
    c("book3_strata", "book3.R", "coxph(Surv(start, stop, event) ~ x + strata(group), d, eps = 1e-8, method = 'breslow')",
      "test2b"),
    c("book4_efron", "book4.R", "coxph(Surv(start, stop, event) ~ x, d, eps = 1e-8)", "test2"),
    c("book4_strata", "book4.R", "coxph(Surv(start, stop, event) ~ x + strata(group), d, eps = 1e-8)", "test2b"))) {
    data <- get(case[4])
    add(case[1], case[2], case[3], "cox", data, cox_output(run(case[3], data)))
}

# --- book5.R: the weighted data set done by replication (testw2), Breslow -----------------------------
testw1 <- data.frame(time = c(1, 1, 2, 2, 2, 2, 3, 4, 5), status = c(1, 0, 1, 1, 1, 0, 0, 1, 0),
                     x = c(2, 0, 1, 1, 0, 1, 0, 1, 0), wt = c(1, 2, 3, 4, 3, 2, 1, 2, 1), id = 1:9)
testw2 <- testw1[rep(1:9, testw1$wt), -4]
call <- "coxph(Surv(time, status) ~ x, d, method = 'breslow')"
add("book5_replicated", "book5.R", call, "cox", testw2, cox_output(run(call, testw2)))

# --- counting.R: data set 1 as (start, stop] rows of several per subject, one NA x ---------------------
test1b <- data.frame(start = c(0, 3, 0, 0, 5, 0, 6, 14, 0, 0, 10, 20, 30, 0),
                     stop = c(3, 10, 10, 5, 20, 6, 14, 20, 30, 10, 20, 30, 40, 10),
                     status = c(0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0),
                     x = c(1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, NA),
                     id = c(3, 3, 4, 5, 5, 6, 6, 6, 7, 1, 1, 1, 1, 2))
call <- "coxph(Surv(time, status) ~ x, d)"
add("counting_fit", "counting.R", call, "cox", test1, cox_output(run(call, test1)))
call <- "coxph(Surv(start, stop, status) ~ x, d)"
add("counting_fitb", "counting.R", call, "cox", test1b, cox_output(run(call, test1b)))
call <- "coxph(Surv(start, stop, status) ~ x, d, cluster = id)  # adapted: resid(fitb, collapse = id)"
add("counting_cluster", "counting.R", call, "cox", test1b, cox_output(run(call, test1b)))

# --- singtest.R: an overdetermined (start, stop] model; the design of x * factor(epoch) as columns -----
s1 <- data.frame(time = c(4, 3, 1, 1, 2, 2, 3), status = c(1, NA, 1, 0, 1, 1, 0), x = c(0, 2, 1, 1, 1, 0, 0))
temp <- rep(0:3, rep(7, 4))
stest <- data.frame(start = 10 * temp, stop = 10 * temp + s1$time, status = rep(s1$status, 4),
                    x = c(s1$x + 1:7, rep(s1$x, 3)), epoch = rep(1:4, rep(7, 4)))
fit <- coxph(Surv(start, stop, status) ~ x * factor(epoch), stest, x = TRUE)
design <- model.matrix(~ x * factor(epoch), stest)[, -1]
sdata <- data.frame(start = stest$start, stop = stest$stop, status = stest$status)
for (k in seq_len(ncol(design))) sdata[[paste0("c", k)]] <- design[, k]
add("singtest", "singtest.R", "coxph(Surv(start, stop, status) ~ x * factor(epoch), stest)  # columns c1..c7",
    "cox", sdata, c(cox_output(fit), list(columns = colnames(design))))

# --- tiedtime.R: 2 and sqrt(2)^2 are one time ------------------------------------------------------
tdata <- data.frame(time = c(1, 2, sqrt(2)^2, 2, sqrt(2)^2), status = rep(1, 5), group = c(1, 1, 1, 2, 2))
fit <- survfit(Surv(time, status) ~ group, data = tdata)
add("tiedtime", "tiedtime.R", "survfit(Surv(time, status) ~ group, d)", "km", tdata,
    list(time = fit$time, surv = fit$surv, strata = unname(fit$strata), n_risk = fit$n.risk))

# --- zph.R --------------------------------------------------------------------------------------------
for (case in list(c("zph_breslow", "coxph(Surv(time, status) ~ x, d, ties = 'breslow')"),
                  c("zph_efron", "coxph(Surv(time, status) ~ x, d, ties = 'efron')"))) {
    add(case[1], "zph.R", paste(case[2], "; cox.zph(fit)  # adapted: transform 'km'"), "cox", test1,
        cox_output(run(case[2], test1)))
}
test2z <- rbind(test1, test1)
test2z$group <- rep(letters[1:2], each = nrow(test1))
test2z$dummy <- 0
call <- "coxph(Surv(dummy, time, status) ~ x + strata(group), d)"
add("zph_strata", "zph.R", paste(call, "; cox.zph(fit)  # adapted: transform 'km'"), "cox", test2z,
    cox_output(run(call, test2z)))
etime <- with(mgus2, ifelse(pstat == 0, futime, ptime))
event <- with(mgus2, ifelse(pstat == 0, 2 * death, 1))
mg <- data.frame(etime = etime, pcm = as.integer(event == 1), death = as.integer(event == 2), sex = mgus2$sex,
                 age = mgus2$age)
write.csv(mg, file.path(out, "mgus2.csv"), row.names = FALSE)
mg <- read.csv(file.path(out, "mgus2.csv"))
for (case in list(c("zph_mgus2_pcm", "coxph(Surv(etime, pcm) ~ sex + age, d)"),
                  c("zph_mgus2_death", "coxph(Surv(etime, death) ~ sex + age, d)"))) {
    add(case[1], "zph.R", paste(case[2], "; cox.zph(fit)  # adapted: transform 'km'"), "cox", NULL,
        cox_output(run(case[2], mg)), csv = "mgus2.csv")
}
p1 <- pbcseq[!duplicated(pbcseq$id), 1:6]
pdata <- tmerge(p1[, c("id", "trt", "age", "sex")], p1, id = id, death = event(futime, status == 2))
pdata <- tmerge(pdata, pbcseq, id = id, bili = tdc(day, bili), edema = tdc(day, edema),
                albumin = tdc(day, albumin), protime = tdc(day, protime))
pd <- data.frame(tstart = pdata$tstart, tstop = pdata$tstop, death = pdata$death, lbili = log(pdata$bili),
                 albumin = pdata$albumin, edema = pdata$edema, age = pdata$age, lprotime = log(pdata$protime))
write.csv(pd, file.path(out, "pdata.csv"), row.names = FALSE)
pd <- read.csv(file.path(out, "pdata.csv"))
call <- "coxph(Surv(tstart, tstop, death) ~ lbili + albumin + edema + age + lprotime, d, ties = 'efron')"
add("zph_pbcseq", "zph.R", paste(call, "; cox.zph(fit)  # adapted: transform 'km'"), "cox", NULL,
    cox_output(run(call, pd)), csv = "pdata.csv")
d1 <- survSplit(Surv(time, status) ~ ., veteran, cut = 150, episode = "epoch")
fit2 <- coxph(Surv(tstart, time, status) ~ celltype:strata(epoch) + age, d1, x = TRUE)
ve <- data.frame(tstart = d1$tstart, time = d1$time, status = d1$status)
for (k in seq_len(ncol(fit2$x))) ve[[paste0("c", k)]] <- fit2$x[, k]
write.csv(ve, file.path(out, "veteran_epoch.csv"), row.names = FALSE)
add("zph_veteran_epoch", "zph.R",
    "coxph(Surv(tstart, time, status) ~ celltype:strata(epoch) + age, d1, x = TRUE); cox.zph(fit)  # columns c1..c9",
    "cox", NULL, c(cox_output(fit2), list(columns = colnames(fit2$x))), csv = "veteran_epoch.csv")

# --- concordance.R, concordance2.R, concordance3.R ---------------------------------------------------
tdata <- aml[aml$x == "Maintained", c("time", "status")]
tdata$x <- c(1, 6, 2, 7, 3, 7, 3, 8, 4, 4, 5)
tdata$wt <- c(1, 2, 3, 2, 1, 2, 3, 4, 3, 2, 1)
add("concordance_tdata", "concordance.R", "concordance(Surv(time, status) ~ x, d)", "concordance", tdata,
    conc_output(concordance(Surv(time, status) ~ x, tdata)))
tdata6 <- tdata[rep(1:11, tdata$wt), ]
add("concordance_replicated", "concordance.R", "concordance(Surv(time, status) ~ x, tdata[rep(1:11, tdata$wt), ])",
    "concordance", tdata6, conc_output(concordance(Surv(time, status) ~ x, tdata6)))
tdata$zero <- 0
add("concordance_start_zero", "concordance.R", "concordance(Surv(rep(0, 11), time, status) ~ x, tdata)",
    "concordance", tdata, conc_output(concordance(Surv(zero, time, status) ~ x, tdata)))
ties <- data.frame(time = c(1, 2, 2, 2, 3, 4, 4, 4, 5, 2), status = c(1, 0, 1, 0, 1, 0, 1, 1, 0, 1),
                   x = c(5, 5, 4, 4, 3, 3, 7, 6, 5, 4))
add("concordance_ties", "concordance.R", "concordance(tempy ~ tempx)", "concordance", ties,
    conc_output(concordance(Surv(time, status) ~ x, ties)))
lung_d <- data.frame(time = lung$time, status = lung$status - 1, age = lung$age, sex = lung$sex,
                     ph_ecog = lung$ph.ecog)
write.csv(lung_d, file.path(out, "lung.csv"), row.names = FALSE)
lung_d <- read.csv(file.path(out, "lung.csv"))
add("concordance_lung_age", "concordance.R", "concordance(Surv(time, status) ~ age, lung, reverse = TRUE)",
    "concordance", NULL, conc_output(concordance(Surv(time, status) ~ age, lung_d, reverse = TRUE)), csv = "lung.csv")
add("concordance_lung_ecog", "concordance.R", "concordance(Surv(time, status) ~ ph.ecog, lung, reverse = TRUE)",
    "concordance", NULL, conc_output(concordance(Surv(time, status) ~ ph_ecog, lung_d, reverse = TRUE)),
    csv = "lung.csv")
tdata2 <- data.frame(time1 = c(0, 3, 5, 6, 7, 0, 4, 17, 7, 0, 16, 2, 0, 0, 9, 5),
                     time2 = c(3, 9, 13, 7, 13, 18, 17, 23, 28, 16, 31, 34, 45, 9, 48, 60),
                     status = c(0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0),
                     x = c(1, 1, 6, 2, 2, 7, 3, 3, 7, 3, 3, 8, 4, 4, 4, 5),
                     id = c(1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8, 9, 10, 10, 11))
add("concordance_intervals_cluster", "concordance2.R",
    "concordance(Surv(time1, time2, status) ~ x, cluster = id, tdata2, reverse = TRUE)  # adapted: no weights",
    "concordance", tdata2, conc_output(concordance(Surv(time1, time2, status) ~ x, tdata2, cluster = id,
                                                   reverse = TRUE)))
tdata3 <- data.frame(time1 = c(tdata2$time1, rep(0, nrow(lung))), time2 = c(tdata2$time2, lung$time),
                     status = c(tdata2$status, lung$status - 1), x = c(tdata2$x, lung$ph.ecog),
                     grp = rep(1:2, c(nrow(tdata2), nrow(lung))))
add("concordance_strata_intervals", "concordance.R",
    "concordance(Surv(time1, time2, status) ~ x + strata(grp), tdata3, reverse = TRUE)  # adapted: no weights",
    "concordance", tdata3, conc_output(concordance(Surv(time1, time2, status) ~ x + strata(grp), tdata3,
                                                   reverse = TRUE)))
cox3 <- coxph(Surv(time, status) ~ age + sex + ph_ecog, lung_d)
lung_d$lp <- predict(cox3, newdata = lung_d)
add("concordance_cox_lp", "concordance2.R", "concordance(Surv(time, status) ~ predict(cox3), lung)", "concordance",
    data.frame(time = lung_d$time, status = lung_d$status, lp = lung_d$lp),
    conc_output(concordance(Surv(time, status) ~ lp, lung_d)))
for (case in list(c("concordance3_age_strata", "coxph(Surv(time, status) ~ age + strata(sex), d)"),
                  c("concordance3_age_ecog_strata", "coxph(Surv(time, status) ~ age + ph_ecog + strata(sex), d)"))) {
    add(case[1], "concordance3.R", paste(case[2], "; its $concordance"), "cox", NULL, cox_output(run(case[2], lung_d)),
        csv = "lung.csv")
}
aml_d <- data.frame(time = aml$time, status = aml$status, x = as.numeric(aml$x))
add("concordance3_aml", "concordance3.R", "concordance(Surv(time, status) ~ x, aml)  # timewt 'n'", "concordance",
    aml_d, conc_output(concordance(Surv(time, status) ~ x, aml_d)))

write_json(cases, file.path(out, "cases.json"), auto_unbox = TRUE, digits = NA, na = "null", null = "null",
           pretty = TRUE)
