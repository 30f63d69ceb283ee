# Reference values for src/stats/hodges-lehmann.ts from R's wilcox.test(conf.int = TRUE).
# Run: Rscript scripts/reference/hodges_lehmann.R > src/stats/testdata/r-hodges-lehmann.json
# Samples are fixed literals (no RNG) so the file is reproducible with any R version.
cases <- list(
  list(x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30), y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)),
  list(x = c(0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46), y = c(1.15, 0.88, 0.90, 0.74, 1.21)),
  list(x = c(3.1, 2.2, 5.4, 4.4, 3.9), y = c(1.1, 0.4, 2.5, 1.7, 2.9, 0.3)),
  list(x = c(1, 2, 2, 3, 3, 3, 4, 5), y = c(2, 3, 3, 4, 5, 5, 6, 7, 7)),
  list(x = round(seq(0.1, 6, length.out = 60)^1.3, 4), y = round(seq(0.2, 5.5, length.out = 55)^1.2, 4)),
  list(x = c(0.012, 0.015, 0.011, 0.02, 0.013, 0.017, 0.016, 0.019, 0.014, 0.018, 0.021, 0.022),
       y = c(0.010, 0.011, 0.0105, 0.009, 0.012, 0.0115, 0.0095, 0.0125, 0.013, 0.0108))
)
num <- function(v) paste0("[", paste(format(v, digits = 17), collapse = ","), "]")
out <- c()
for (cs in cases) {
  for (cl in c(0.95, 0.98)) {
    for (exact in c(TRUE, FALSE)) {
      r <- suppressWarnings(wilcox.test(cs$x, cs$y, conf.int = TRUE, conf.level = cl, exact = exact, correct = TRUE))
      ties <- length(unique(c(cs$x, cs$y))) < length(cs$x) + length(cs$y)
      method <- if (exact && !ties && length(cs$x) < 50 && length(cs$y) < 50) "exact" else "asymptotic"
      if (exact && method != "exact") next
      out <- c(out, sprintf('{"x":%s,"y":%s,"confLevel":%s,"method":"%s","estimate":%s,"medianDiff":%s,"lower":%s,"upper":%s,"p":%s}',
        num(cs$x), num(cs$y), cl, method, format(unname(r$estimate), digits = 17), format(median(outer(cs$x, cs$y, "-")), digits = 17),
        format(r$conf.int[1], digits = 17), format(r$conf.int[2], digits = 17), format(r$p.value, digits = 17)))
    }
  }
}
cat(sprintf('{"generator":"scripts/reference/hodges_lehmann.R","r":"%s","cases":[\n%s\n]}\n', R.version.string, paste(out, collapse = ",\n")))
