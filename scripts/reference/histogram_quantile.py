#!/usr/bin/env python3
"""Reference values for src/stats/histogram-quantile.ts from the real Prometheus engine.

Writes a promtool unit-test file whose expected values are deliberately wrong (-42), runs
`promtool test rules` (Prometheus 2.42 here), and reads the engine's results from the
"got:" lines of the failure report. Needs `promtool` on PATH.
Run: python3 scripts/reference/histogram_quantile.py > src/stats/testdata/prometheus-histogram-quantile.json
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# Each case: cumulative buckets as (le string, count).
CASES = {
    "typical": [("0.05", 120), ("0.1", 400), ("0.25", 900), ("0.5", 980), ("1", 995), ("+Inf", 1000)],
    "all_in_first": [("0.1", 50), ("0.5", 50), ("+Inf", 50)],
    "all_in_inf": [("0.1", 0), ("0.5", 0), ("+Inf", 7)],
    "negative_lowest": [("-1", 5), ("0", 10), ("1", 20), ("+Inf", 20)],
    "zero_lowest": [("0", 4), ("2", 10), ("+Inf", 12)],
    "unsorted": [("1", 80), ("0.25", 20), ("+Inf", 100), ("0.5", 50)],
    "non_monotonic": [("0.1", 30), ("0.2", 25), ("0.4", 60), ("+Inf", 60)],
    "empty": [("0.1", 0), ("1", 0), ("+Inf", 0)],
    "only_inf": [("+Inf", 10)],
    "no_inf": [("0.1", 3), ("1", 10)],
    "float_le": [("0.1", 10), ("1.0", 60), ("2.5", 90), ("+Inf", 100)],
    "sparse_tail": [("0.005", 1), ("0.01", 2), ("0.025", 2), ("0.05", 2), ("0.1", 2), ("0.25", 2), ("0.5", 2), ("1", 2), ("2.5", 3), ("5", 3), ("10", 3), ("+Inf", 3)],
}
QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1, -0.5, 1.5]


def main() -> None:
    series = []
    tests = []
    for name, buckets in CASES.items():
        for le, count in buckets:
            series.append({"series": f'h_bucket{{case="{name}",le="{le}"}}', "values": str(count)})
        for q in QS:
            tests.append({"expr": f'histogram_quantile({q}, h_bucket{{case="{name}"}})', "eval_time": "0m",
                          "exp_samples": [{"labels": f'{{case="{name}"}}', "value": -42}], "_case": name, "_q": q})
    doc = {"rule_files": [], "evaluation_interval": "1m",
           "tests": [{"interval": "1m", "input_series": series,
                      "promql_expr_test": [{k: v for k, v in t.items() if not k.startswith("_")} for t in tests]}]}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.yaml")
        with open(path, "w") as f:
            json.dump(doc, f)  # JSON is valid YAML
        proc = subprocess.run(["promtool", "test", "rules", path], capture_output=True, text=True)
        report = proc.stdout + proc.stderr
    version = subprocess.run(["promtool", "--version"], capture_output=True, text=True)
    blocks = re.findall(r'expr: "histogram_quantile\(([^,]+), h_bucket\{case=\\"(\w+)\\"\}\)".*?got: (.*?)\n', report, re.S)
    got = {}
    for q, name, value in blocks:
        m = re.match(r'\{case="\w+"\} (\S+)', value.strip())
        got[(float(q), name)] = m.group(1) if m else "none"
    cases = []
    for t in tests:
        v = got.get((float(t["_q"]), t["_case"]))
        if v is None:
            raise SystemExit(f"no result for {t['expr']}:\n{report[:2000]}")
        cases.append({"case": t["_case"], "q": t["_q"], "buckets": CASES[t["_case"]], "value": v})
    out = {"generator": "scripts/reference/histogram_quantile.py",
           "promtool": (version.stdout + version.stderr).splitlines()[0], "cases": cases}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
