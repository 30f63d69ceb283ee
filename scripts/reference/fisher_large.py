"""Reference p-values of Fisher's exact test on the large tables a canary analysis ends with
(hundreds of thousands of requests, thousands of bad events), for src/stats/fisher-exact.ts's
truncated tail sums. Run:
python3 scripts/reference/fisher_large.py > src/stats/testdata/scipy-fisher-large.json
"""
import json
import math

import scipy
from scipy import stats

tables = [
    [[900, 179100], [8100, 1611900]],
    [[1010, 178990], [8100, 1611900]],
    [[780, 179220], [8100, 1611900]],
    [[5900, 174100], [53000, 1567000]],
    [[6400, 173600], [53000, 1567000]],
    [[3, 29997], [20, 269980]],
    [[40000, 60000], [39000, 61000]],
]
out = []
for t in tables:
    for alt in ["greater", "less"]:
        r = stats.fisher_exact(t, alternative=alt)
        out.append({"table": t, "alternative": alt, "p": float(r.pvalue)})
print(json.dumps({"generator": "scripts/reference/fisher_large.py", "scipy": scipy.__version__, "cases": out}, indent=1))
