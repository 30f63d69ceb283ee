#!/usr/bin/env python3
"""Reference values for src/stats/betting-e-process.ts, computed independently with NumPy/SciPy.

The mixture betting e-process: log E_t = logsumexp_g( sum_s log(1 + lambda_g * y_s) ) - log G,
lambda_g log-spaced on [0.01, 0.9] (12 values), y_s = tanh(d_s / (2 * scale)).
Also the exact expectation of one factor under a discrete null (checks the supermartingale).
Run: python3 scripts/reference/betting_e_process.py > src/stats/testdata/betting-e-process.json
"""
import json

import numpy as np
from scipy.special import logsumexp

LAMBDAS = 0.01 * np.exp(np.arange(12) * np.log(90) / 11)
SCALE = 0.05

# Log ratios d_s (canary worse than the null boundary when positive).
SEQUENCES = {
    "null_centred": [0.03, -0.02, 0.01, -0.04, 0.05, -0.01, 0.0, -0.03, 0.02, -0.02],
    "regression": [0.12, 0.15, 0.09, 0.18, 0.11, 0.14, 0.16, 0.10, 0.13, 0.12],
    "better": [-0.2, -0.1, -0.15, -0.3, -0.05],
    "mixed_large": [1.5, -2.0, 0.7, 3.0, -0.4, 0.25],
}


def log_e(ds):
    y = np.tanh(np.asarray(ds) / (2 * SCALE))
    lw = np.log1p(np.outer(LAMBDAS, y)).sum(axis=1)
    return float(logsumexp(lw) - np.log(len(LAMBDAS))), [float(v) for v in lw]


out = {"lambdas": [float(x) for x in LAMBDAS], "scale": SCALE, "cases": {}}
for name, ds in SEQUENCES.items():
    le, lw = log_e(ds)
    out["cases"][name] = {"d": ds, "logE": le, "logWealth": lw}

# E[1 + lambda * Y] for Y = tanh(D / 2s), D ~ N(mu, sd^2): exactly 1 at mu = 0, below for mu < 0.
from scipy.integrate import quad
from scipy.stats import norm

means = {}
for mu in [0.0, -0.02, 0.02]:
    val, _ = quad(lambda x: np.tanh(x / (2 * SCALE)) * norm.pdf(x, mu, 0.04), -1, 1, epsabs=1e-13)
    means[str(mu)] = float(val)
out["meanScoreNormal"] = {"sd": 0.04, "byMu": means}
print(json.dumps(out, indent=2))
