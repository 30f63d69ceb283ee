/**
 * @module test/contract/argo/expr-eval
 * Argo Rollouts evaluates `successCondition` / `failureCondition` with the expr engine
 * (utils/evaluate/evaluate.go). Rather than re-deriving its semantics, the replays build
 * `expr-eval/main.go` against Debian's `golang-github-antonmedv-expr-dev` (expr 1.8, the
 * engine's earlier module path; Argo uses the same engine as expr-lang 1.17) with Debian's
 * `golang-go`, once per source version, and talk to it over stdin/stdout, one JSON line each.
 * Plain TypeScript (no vitest).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const SOURCE = join(import.meta.dirname, "expr-eval", "main.go");
const GOPATH = "/usr/share/gocode";

/** Builds the evaluator (cached by source hash) and returns the binary's path. */
export function buildExprEval(): string {
  const source = readFileSync(SOURCE);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "slogate-expr-eval");
  const bin = join(dir, `expr-eval-${hash}`);
  if (existsSync(bin)) return bin;
  if (!existsSync(join(GOPATH, "src", "github.com", "antonmedv", "expr"))) {
    throw new Error(
      "the Argo contract replays evaluate conditions with expr: apt-get install golang-go golang-github-antonmedv-expr-dev",
    );
  }
  mkdirSync(dir, { recursive: true });
  execFileSync("go", ["build", "-o", bin, SOURCE], {
    env: { ...process.env, GO111MODULE: "off", GOPATH, GOCACHE: join(dir, "cache"), GOFLAGS: "" },
    stdio: "pipe",
  });
  return bin;
}

/** A running evaluator. */
export interface ExprEval {
  /** Evaluates `condition` with `result` bound as Argo binds it; rejects with the engine's error. */
  evalCondition(result: unknown, condition: string): Promise<boolean>;
  close(): void;
}

/** Starts the evaluator process. */
export function startExprEval(): ExprEval {
  const child: ChildProcessWithoutNullStreams = spawn(buildExprEval(), [], { stdio: "pipe" });
  const waiting: { resolve: (v: boolean) => void; reject: (e: Error) => void }[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    const w = waiting.shift();
    if (w === undefined) return;
    const a = JSON.parse(line) as { value?: boolean; error?: string };
    if (a.error !== undefined) w.reject(new Error(a.error));
    else w.resolve(a.value === true);
  });
  return {
    evalCondition: (result, condition) =>
      new Promise<boolean>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify({ result, condition })}\n`);
      }),
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}
