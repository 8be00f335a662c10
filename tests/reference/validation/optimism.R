# Reference values for netpet.analysis.survival.optimism: Harrell's bootstrap optimism of the C index, from
# rms::validate(cph(..., x = TRUE, y = TRUE), B = B) with the bootstrap samples fixed.
#
# rms draws its samples with sample(n, replace = TRUE) inside predab.resample; here that call is answered
# from bootstrap indices drawn once with R's RNG and stored (optimism_indices.csv: case, replicate,
# the 1-based row drawn), so that Python replays exactly the same samples rather than other random draws.
# rms reports Somers' Dxy; C = (Dxy + 1) / 2, so the C optimism is the Dxy optimism / 2.
# rms refits each sample with coxphFit(..., iter.max = 10, eps = 1e-4), looser than coxph's defaults
# (20, 1e-9) that netpet.analysis.survival.cox follows; with continuous predictors the loose fits reorder a few nearly tied
# linear predictors. So rms runs twice: stock (optimism_rms_stock, kept for comparison) and with its refits
# at coxph's default convergence (apparent, optimism, corrected: the values the tests equal).
#
# Run from the repository root after concordance.R (which writes the input CSVs):
#   Rscript tests/reference/validation/optimism.R      (R 4.2, rms 6.5.0, survival 3.5.3)
# Writes optimism.csv (case, B, apparent, optimism, corrected, replicates) and optimism_indices.csv.
suppressMessages(library(rms))
stopifnot(packageVersion("rms") == "6.5.0", packageVersion("survival") == "3.5.3")
out <- "tests/reference/validation"
options(digits = 15)
read_input <- function(name) read.csv(file.path(out, paste0(name, ".csv")))
lung_in <- read_input("lung")
pbc_in <- read_input("pbc")
pbc_in$log_bili <- log(pbc_in$bili)
veteran_in <- read_input("veteran")
for (level in c("smallcell", "adeno", "large")) veteran_in[[level]] <- as.integer(veteran_in$celltype == level)

cases <- list(
  # case = list(formula, data, B)
  lung = list(Surv(time, event) ~ age + sex + ph_ecog, lung_in, 40),
  pbc = list(Surv(time, event) ~ log_bili + albumin + age + edema, pbc_in, 50),
  veteran_celltype = list(Surv(time, event) ~ smallcell + adeno + large, veteran_in, 30)
)

stock_coxph_fit <- rms:::coxphFit
converged_coxph_fit <- function(..., iter.max, eps, toler.chol) {
  stock_coxph_fit(..., iter.max = 20, eps = 1e-9, toler.chol = .Machine$double.eps^0.75)  # coxph.control()
}

replay <- function(indices) {
  # predab.resample with `sample` answered from `indices` (one column per replicate)
  drawn <- 0
  env <- new.env(parent = asNamespace("rms"))
  env$sample <- function(x, size, replace = FALSE, prob = NULL) {
    drawn <<- drawn + 1
    indices[, drawn]
  }
  f <- rms:::predab.resample
  environment(f) <- env
  f
}

set.seed(20261205)
index_rows <- list()
rows <- do.call(rbind, Map(function(case, spec) {
  d <- spec[[2]]; B <- spec[[3]]; n <- nrow(d)
  indices <- sapply(seq_len(B), function(b) sample(n, replace = TRUE))
  index_rows[[case]] <<- data.frame(case = case, replicate = rep(seq_len(B), each = n), row = c(indices))
  original <- rms:::predab.resample
  on.exit(assignInNamespace("predab.resample", original, "rms"))
  fit <- cph(spec[[1]], data = d, x = TRUE, y = TRUE)
  assignInNamespace("predab.resample", replay(indices), "rms")
  stock <- validate(fit, B = B)["Dxy", ]
  assignInNamespace("predab.resample", replay(indices), "rms")
  assignInNamespace("coxphFit", converged_coxph_fit, "rms")
  dxy <- validate(fit, B = B)["Dxy", ]
  assignInNamespace("coxphFit", stock_coxph_fit, "rms")
  data.frame(case = case, B = B, apparent = (dxy[["index.orig"]] + 1) / 2, optimism = dxy[["optimism"]] / 2,
             corrected = (dxy[["index.corrected"]] + 1) / 2, replicates = dxy[["n"]],
             optimism_rms_stock = stock[["optimism"]] / 2)
}, names(cases), cases))
write.csv(rows, file.path(out, "optimism.csv"), row.names = FALSE)
write.csv(do.call(rbind, index_rows), file.path(out, "optimism_indices.csv"), row.names = FALSE)
