# Exact crossings of the Mann-Whitney shift statistic for src/stats/hodges-lehmann.ts's
# solveShift (the asymptotic Hodges-Lehmann interval that Kayenta's judge uses), on samples of
# Kayenta's size (hundreds of per-step points, with ties).
# Run: Rscript scripts/reference/hodges_lehmann_exact.R > src/stats/testdata/r-hodges-lehmann-exact.json
# wilcox.test's own answer is uniroot's (tol 1e-4); the exact crossing is the pairwise difference
# D where the standardized statistic of (x - d, y) (mid-ranks, tie and continuity corrections,
# as wilcox.test defines it) changes sign: found here by bisection over the sorted distinct
# differences, evaluating the statistic between neighbours. Samples are deterministic formulas
# (no RNG), so the file is reproducible with any R version.
stat <- function(x, y, d, zq) {
  nx <- length(x); ny <- length(y)
  dr <- c(x - d, y)
  r <- rank(dr)
  nt <- table(dr)
  z <- sum(r[seq_len(nx)]) - nx * (nx + 1) / 2 - nx * ny / 2
  sigma <- sqrt((nx * ny / 12) * ((nx + ny + 1) - sum(nt^3 - nt) / ((nx + ny) * (nx + ny - 1))))
  (z - sign(z) * 0.5) / sigma - zq
}
crossing <- function(x, y, zq) {
  D <- sort(unique(as.vector(outer(x, y, "-"))))
  if (stat(x, y, D[1] - 1, zq) <= 0) return(D[1])
  if (stat(x, y, D[length(D)] + 1, zq) > 0) return(D[length(D)])
  # Invariant: stat just below D[lo] > 0, stat just above D[hi] <= 0; answer D[j] with
  # stat(between D[j-1], D[j]) > 0 and stat(between D[j], D[j+1]) <= 0.
  lo <- 1; hi <- length(D)
  while (lo < hi) {
    mid <- (lo + hi) %/% 2
    above <- if (mid < length(D)) (D[mid] + D[mid + 1]) / 2 else D[mid] + 1
    if (stat(x, y, above, zq) <= 0) hi <- mid else lo <- mid + 1
  }
  D[lo]
}
i <- 1:240
cases <- list(
  list(name = "ratios with ties", x = round((sin(i * 1.3) + 1) * 1.6) / (280 + round(20 * cos(i * 0.3))) * 1.3, y = round((cos(i[1:220] * 0.7) + 1) * 1.6) / (280 + round(20 * sin(i[1:220] * 0.45)))),
  list(name = "continuous", x = exp(-2 + 0.4 * sin(i * 2.1) + 0.1 * cos(i * 0.37)) * 1.1, y = exp(-2 + 0.4 * sin(i[1:200] * 1.7 + 1) + 0.1 * cos(i[1:200] * 0.53))),
  list(name = "rounded latency", x = round(exp(-1.6 + 0.5 * sin(i * 0.91)), 3), y = round(exp(-1.7 + 0.5 * sin(i[1:230] * 1.19 + 2)), 3))
)
num <- function(v) paste0("[", paste(format(v, digits = 17), collapse = ","), "]")
out <- c()
for (cs in cases) {
  for (cl in c(0.95, 0.98)) {
    zq <- qnorm(1 - (1 - cl) / 2)
    r <- suppressWarnings(wilcox.test(cs$x, cs$y, conf.int = TRUE, conf.level = cl, exact = FALSE, correct = TRUE))
    out <- c(out, sprintf('{"name":"%s","x":%s,"y":%s,"confLevel":%s,"z":%s,"root":%s,"lower":%s,"upper":%s,"unirootLower":%s,"unirootUpper":%s}',
      cs$name, num(cs$x), num(cs$y), cl, format(zq, digits = 17),
      format(crossing(cs$x, cs$y, 0), digits = 17), format(crossing(cs$x, cs$y, zq), digits = 17),
      format(crossing(cs$x, cs$y, -zq), digits = 17),
      format(r$conf.int[1], digits = 17), format(r$conf.int[2], digits = 17)))
  }
}
cat(sprintf('{"generator":"scripts/reference/hodges_lehmann_exact.R","r":"%s","cases":[\n%s\n]}\n', R.version.string, paste(out, collapse = ",\n")))
