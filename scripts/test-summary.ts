/**
 * Prints the one summary line CI reads ("tests: N passed, N failed, N skipped") from
 * vitest's JSON report. A test file that failed without a failing test (a suite whose
 * setup threw, e.g. a missing binary, or a file that did not load) counts as one failure,
 * so the line never says "0 failed" for a run that failed. Exit code: 1 when anything failed
 * or the report is missing.
 * Usage: node scripts/test-summary.ts .tools/vitest-report.json
 */
import { existsSync, readFileSync } from "node:fs";

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string }[] }[];
}

const file = process.argv[2] ?? ".tools/vitest-report.json";
if (!existsSync(file)) {
  console.log("tests: 0 passed, 1 failed, 0 skipped");
  console.log(`(no test report at ${file}: vitest did not finish)`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, "utf8")) as Report;
const brokenFiles = r.testResults.filter(
  (t) => t.status === "failed" && !t.assertionResults.some((a) => a.status === "failed"),
);
const failed = r.numFailedTests + brokenFiles.length;
console.log(
  `tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
);
for (const t of brokenFiles) {
  console.log(`  failed file without a failing test: ${t.name}: ${(t.message ?? "").split("\n")[0]}`);
}
process.exit(failed > 0 ? 1 : 0);
