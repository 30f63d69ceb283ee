#!/usr/bin/env python3
"""Reference values for src/stats from SciPy.

Run: python3 scripts/reference/stats_fixtures.py > src/stats/testdata/scipy.json
Deterministic (seeded). Records the SciPy/NumPy versions that produced the file.
"""
import json
import math
import sys

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261121)
out = {"generator": "scripts/reference/stats_fixtures.py", "scipy": scipy.__version__, "numpy": np.__version__}

# Normal CDF / quantile, Beta quantile.
zs = [-38.0, -12.5, -8.0, -5.0, -3.1, -1.96, -1.0, -0.3, 0.0, 0.3, 1.0, 1.645, 2.5, 5.0, 8.0, 12.5]
out["normal_sf"] = [[z, float(stats.norm.sf(z))] for z in zs]
ps = [1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.99, 0.999999]
out["normal_quantile"] = [[p, float(stats.norm.ppf(p))] for p in ps]
out["beta_quantile"] = [
    [p, a, b, float(stats.beta.ppf(p, a, b))]
    for (p, a, b) in [(0.025, 1, 20), (0.975, 5, 3), (0.5, 0.5, 0.5), (0.001, 30, 970), (0.999, 2, 99998)]
]

out["t_quantile"] = [
    [p, df, float(stats.t.ppf(p, df))]
    for (p, df) in [(0.994, 1), (0.994, 2), (0.994, 4), (0.994, 8), (0.975, 3), (0.9, 30), (0.5, 5), (0.999, 100)]
]


def sample(kind, n):
    if kind == "normal":
        return np.round(rng.normal(0, 1, n), 6)
    if kind == "shifted":
        return np.round(rng.normal(0.7, 1, n), 6)
    if kind == "ties":
        return rng.integers(0, 5, n).astype(float)
    if kind == "lognormal":
        return np.round(rng.lognormal(0, 0.5, n), 6)
    raise ValueError(kind)


mw = []
for (kx, nx, ky, ny) in [
    ("normal", 5, "normal", 6),
    ("shifted", 7, "normal", 8),
    ("normal", 3, "shifted", 4),
    ("normal", 1, "normal", 3),
    ("shifted", 8, "normal", 8),
    ("normal", 12, "shifted", 15),
    ("ties", 20, "ties", 25),
    ("ties", 6, "ties", 5),
    ("lognormal", 60, "lognormal", 60),
    ("shifted", 40, "normal", 33),
]:
    x = sample(kx, nx)
    y = sample(ky, ny)
    ties = len(np.unique(np.concatenate([x, y]))) < nx + ny
    for alt in ["two-sided", "less", "greater"]:
        methods = ["asymptotic"] if ties else ["exact", "asymptotic"]
        for method in methods:
            for cc in [True, False]:
                if method == "exact" and not cc:
                    continue
                r = stats.mannwhitneyu(x, y, alternative=alt, method=method, use_continuity=cc)
                mw.append({"x": x.tolist(), "y": y.tolist(), "alternative": alt, "method": method,
                           "continuity": cc, "u": float(r.statistic), "p": float(r.pvalue)})
out["mann_whitney"] = mw

# Binned Mann-Whitney: the rank test on the expanded sample (one value per request = bucket index).
binned = []
for (px, py, nx, ny) in [
    ([0.1, 0.3, 0.3, 0.2, 0.1], [0.1, 0.3, 0.3, 0.2, 0.1], 500, 4500),
    ([0.05, 0.2, 0.3, 0.3, 0.15], [0.1, 0.3, 0.3, 0.2, 0.1], 300, 2700),
    ([0.0, 0.5, 0.5, 0.0, 0.0], [0.2, 0.2, 0.2, 0.2, 0.2], 40, 50),
    ([0.3, 0.3, 0.2, 0.1, 0.05, 0.05], [0.35, 0.3, 0.2, 0.1, 0.03, 0.02], 2000, 2000),
]:
    cx = rng.multinomial(nx, px)
    cy = rng.multinomial(ny, py)
    ex = np.repeat(np.arange(len(cx)), cx).astype(float)
    ey = np.repeat(np.arange(len(cy)), cy).astype(float)
    for alt in ["two-sided", "greater"]:
        r = stats.mannwhitneyu(ex, ey, alternative=alt, method="asymptotic", use_continuity=True)
        binned.append({"x": cx.tolist(), "y": cy.tolist(), "alternative": alt, "u": float(r.statistic),
                       "p": float(r.pvalue), "effect": float(r.statistic) / (nx * ny)})
out["binned_mann_whitney"] = binned

fisher = []
for t in [[[3, 1], [1, 3]], [[0, 10], [5, 5]], [[12, 988], [40, 8960]], [[25, 975], [150, 8850]],
          [[1, 0], [0, 1]], [[7, 93], [2, 98]], [[0, 0], [4, 6]], [[100, 200], [300, 100]]]:
    for alt in ["two-sided", "less", "greater"]:
        r = stats.fisher_exact(t, alternative=alt)
        orr = float(r.statistic)
        fisher.append({"table": t, "alternative": alt, "oddsRatio": orr if math.isfinite(orr) else str(orr),
                       "p": float(r.pvalue)})
out["fisher_exact"] = fisher

intervals = []
for (k, n) in [(0, 10), (1, 10), (5, 10), (10, 10), (3, 1000), (50, 1000), (990, 1000), (12, 40000), (1, 1)]:
    for cl in [0.9, 0.95, 0.99]:
        w = stats.binomtest(k, n).proportion_ci(confidence_level=cl, method="wilson")
        e = stats.binomtest(k, n).proportion_ci(confidence_level=cl, method="exact")
        intervals.append({"k": k, "n": n, "confLevel": cl, "wilson": [w.low, w.high], "clopperPearson": [e.low, e.high]})
out["binomial_intervals"] = intervals

json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
