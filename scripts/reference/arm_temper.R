# Reference values for armTemper (src/stats/tempered-e-process.ts) from R, computed without its
# closed form: a Poisson count whose mean is multiplied by a gamma variable of mean 1 and CV² c²
# is negative binomial (size 1/c², mean mu), so E[e^{t·l}] with l = k_c·a + k_s·b is the product
# of two sums over dnbinom. The reference t is the largest t in (0, 1] with log E ≤ 0 (uniroot).
# Run: Rscript scripts/reference/arm_temper.R > src/stats/testdata/r-arm-temper.json
lmgf <- function(s, mu, c2) {
  # log E[e^{s k}], k ~ NB(size = 1/c2, mu), summed until the terms (ratio → q·e^s, with
  # q = c2·mu/(1 + c2·mu)) are below 1e-20 of the largest.
  r <- log(c2 * mu / (1 + c2 * mu)) + s
  kmax <- max(1000, ceiling(mu * 50 + 50 / c2 + 50 / max(1e-6, -r)))
  k <- 0:kmax
  lp <- dnbinom(k, size = 1 / c2, mu = mu, log = TRUE) + s * k
  m <- max(lp)
  m + log(sum(exp(lp - m)))
}
cases <- list(
  # theta0: canary share of bad events under the null; thetaG: an alternative; muC, muS: expected counts.
  list(theta0 = 0.1089, thetaG = 0.1818, muC = 1.65, muS = 13.5, c2 = 0.5),
  list(theta0 = 0.1089, thetaG = 0.1818, muC = 1.65, muS = 13.5, c2 = 3),
  list(theta0 = 0.1089, thetaG = 0.3, muC = 1.65, muS = 13.5, c2 = 10),
  list(theta0 = 0.5, thetaG = 0.6, muC = 20, muS = 20, c2 = 0.2),
  list(theta0 = 0.25, thetaG = 0.4, muC = 5, muS = 15, c2 = 1),
  list(theta0 = 0.05, thetaG = 0.08, muC = 30, muS = 570, c2 = 0.05)
)
out <- c()
for (cs in cases) {
  a <- log(cs$thetaG / cs$theta0)
  b <- log((1 - cs$thetaG) / (1 - cs$theta0))
  f <- function(t) lmgf(t * a, cs$muC, cs$c2) + lmgf(t * b, cs$muS, cs$c2)
  # The canary's sum diverges once t·a ≥ log(1 + c2/(c2·mu))... keep t where both sums converge.
  tmax <- min(1, 0.999 * log(1 + 1 / (cs$c2 * cs$muC)) / a)
  t <- if (f(tmax) <= 0 && tmax >= 1) 1 else uniroot(f, c(1e-6, tmax), tol = 1e-12)$root
  out <- c(out, sprintf('{"theta0":%s,"thetaG":%s,"muC":%s,"muS":%s,"c2":%s,"t":%s,"logMgfAtT":%s}',
    cs$theta0, cs$thetaG, cs$muC, cs$muS, cs$c2, format(t, digits = 17), format(f(t), digits = 17)))
}
cat(sprintf('{"generator":"scripts/reference/arm_temper.R","r":"%s","cases":[\n%s\n]}\n', R.version.string, paste(out, collapse = ",\n")))
