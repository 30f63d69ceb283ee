/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- Argo objects read from YAML are untyped by nature */
/**
 * @module test/contract/argo/argo-replay
 * A replay of what Argo Rollouts does with the shipped Rollout and AnalysisTemplates, written
 * from its source (argo-rollouts 9f8d111d; every rule is cited in docs/controllers.md):
 *
 * - Arguments: the Rollout's `args` (value, `podTemplateHashValue` Latest/Stable, `fieldRef`
 *   against the Rollout) merged into the template's; `secretKeyRef` resolved in the
 *   AnalysisRun's namespace; `{{args.x}}` substituted with JSON escaping.
 * - The `web` provider: method (GET by default), headers, `jsonBody` as JSON with
 *   `Content-Type: application/json`, `timeoutSeconds` (10 by default); a status outside
 *   200–299 is an Error "received non 2xx response code: N" whose body is never read; the
 *   body is parsed as JSON (else kept as a string), `jsonPath` (`{$}` by default) picks the
 *   value, the conditions are evaluated by the expr engine (./expr-eval.ts).
 * - An AnalysisRun: a first measurement at once, then one per `interval`, or 10 s after an
 *   Error; Errors do not count toward `count`; a metric is Failed when failed > failureLimit,
 *   Inconclusive when inconclusive > inconclusiveLimit, Error when consecutive errors >
 *   consecutiveErrorLimit (4 by default), Successful when `count` is reached; the run stops at
 *   the first metric Failed, Error or Inconclusive and its phase is the worst metric's.
 * - The Rollout's canary steps: `analysis` steps block until their run completes; the
 *   background analysis starts at `startingStep`; Failed/Error abort (the message says why),
 *   Inconclusive pauses; when the steps finish the background run is terminated (Successful)
 *   and the rollout is promoted; an abort resets the step index to 0, a retry starts over.
 *
 * Time is a simulated clock shared with the slogate service. The only change made to what
 * the manifests say is the address: the cluster URL's origin becomes the bed's.
 */
import type { ExprEval } from "./expr-eval.ts";

export type AnalysisPhase = "Pending" | "Running" | "Successful" | "Failed" | "Inconclusive" | "Error";

const WORST_LAST: readonly AnalysisPhase[] = [
  "Successful",
  "Running",
  "Pending",
  "Inconclusive",
  "Error",
  "Failed",
];
const completed = (p: AnalysisPhase): boolean =>
  p === "Successful" || p === "Failed" || p === "Inconclusive" || p === "Error";

/** Argo's error-retry interval (analysis/analysis.go DefaultErrorRetryInterval). */
export const ERROR_RETRY_SECONDS = 10;
/** utils/defaults DefaultConsecutiveErrorLimit. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

export interface Measurement {
  readonly phase: AnalysisPhase;
  /** The stored value: the JSON at jsonPath, or the body string. */
  readonly value?: string;
  readonly message?: string;
  readonly at: number;
  /** The HTTP request as sent (for assertions on the wire format). */
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly body?: string;
    readonly headers: Record<string, string>;
  };
}

export interface MetricResult {
  readonly name: string;
  phase: AnalysisPhase;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  message?: string;
  readonly measurements: Measurement[];
}

export interface ReplayEnv {
  readonly clock: { t: number };
  /** Base URL that replaces the origin of every provider URL. */
  readonly baseUrl: () => string;
  readonly expr: ExprEval;
  /** Secrets in the cluster: namespace → name → key → value. */
  readonly secrets: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
}

function durationSeconds(d: string | number | undefined): number | undefined {
  if (d === undefined || d === "") return undefined;
  if (typeof d === "number") return d;
  const m = /^(\d+)(s|m|h)?$/.exec(d);
  if (m === null) throw new Error(`unsupported duration ${d}`);
  return Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
}

/** utils/template ResolveQuotedArgs: `{{args.x}}` → the value, JSON-escaped. */
function resolveQuotedArgs(json: string, args: Readonly<Record<string, string>>): string {
  return json.replace(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, name: string) => {
    const v = args[name];
    if (v === undefined) throw new Error(`failed to resolve {{args.${name}}}`);
    return JSON.stringify(v).slice(1, -1);
  });
}

/** The Kubernetes jsonpath subset the replays need: `{$}` and `{$.a.b}`. */
function findJsonPath(data: unknown, path: string): unknown {
  const m = /^\{\$((?:\.[A-Za-z0-9_-]+)*)\}$/.exec(path);
  if (m === null) throw new Error(`jsonPath ${path} is outside what the replay supports`);
  let v: any = data;
  for (const key of (m[1] ?? "").split(".").filter((k) => k !== "")) {
    if (v === null || typeof v !== "object" || !(key in v))
      throw new Error(`Could not find JSONPath in body: ${key} is not found`);
    v = v[key];
  }
  return v;
}

/** One AnalysisRun. */
export class AnalysisRunReplay {
  phase: AnalysisPhase = "Running";
  message = "";
  terminate = false;
  readonly results: MetricResult[];
  readonly name: string;
  readonly namespace: string;
  readonly metrics: readonly any[];
  readonly args: Readonly<Record<string, string>>;
  private readonly env: ReplayEnv;

  constructor(
    name: string,
    namespace: string,
    metrics: readonly any[],
    args: Readonly<Record<string, string>>,
    env: ReplayEnv,
  ) {
    this.name = name;
    this.namespace = namespace;
    this.metrics = metrics;
    this.args = args;
    this.env = env;
    this.results = metrics.map((m) => ({
      name: m.name as string,
      phase: "Pending",
      count: 0,
      successful: 0,
      failed: 0,
      inconclusive: 0,
      error: 0,
      consecutiveError: 0,
      measurements: [],
    }));
    for (const m of metrics) {
      for (const unsupported of ["initialDelay", "consecutiveSuccessLimit", "dryRun"]) {
        if (m[unsupported] !== undefined) throw new Error(`the replay does not model ${unsupported}`);
      }
      if (m.provider?.web === undefined) throw new Error(`metric ${m.name} is not a web metric`);
    }
  }

  get terminating(): boolean {
    return (
      this.terminate ||
      this.results.some((r) => r.phase === "Failed" || r.phase === "Error" || r.phase === "Inconclusive")
    );
  }

  /** Every measurement of every metric, oldest first. */
  measurements(): (Measurement & { metric: string })[] {
    return this.results
      .flatMap((r) => r.measurements.map((m) => ({ ...m, metric: r.name })))
      .sort((a, b) => a.at - b.at);
  }

  /** One reconcile at the clock's time: take the measurements that are due, assess. */
  async reconcile(): Promise<void> {
    if (completed(this.phase)) return;
    const now = this.env.clock.t;
    const due = this.metrics.filter((m, i) => {
      const r = this.results[i]!;
      if (completed(r.phase) || this.terminating) return false;
      const last = r.measurements.at(-1);
      if (last === undefined) return true;
      const count = m.count === undefined ? undefined : Number(m.count);
      if (count !== undefined && r.count >= count) return false;
      const interval =
        last.phase === "Error" ? ERROR_RETRY_SECONDS : (durationSeconds(m.interval) ?? ERROR_RETRY_SECONDS);
      return now >= last.at + interval;
    });
    // Argo measures the due metrics in parallel.
    await Promise.all(
      due.map(async (m) => {
        const r = this.results[this.metrics.indexOf(m)]!;
        const x = await this.measure(m);
        r.measurements.push(x);
        if (x.phase === "Successful") {
          r.successful++;
          r.count++;
          r.consecutiveError = 0;
        } else if (x.phase === "Failed") {
          r.failed++;
          r.count++;
          r.consecutiveError = 0;
        } else if (x.phase === "Inconclusive") {
          r.inconclusive++;
          r.count++;
          r.consecutiveError = 0;
        } else {
          r.error++;
          r.consecutiveError++;
        }
      }),
    );
    this.assess();
  }

  private limitsBroken(m: any, r: MetricResult): { phase?: AnalysisPhase; message?: string } {
    let out: { phase?: AnalysisPhase; message?: string } = {};
    const failureLimit = m.failureLimit === undefined ? 0 : Number(m.failureLimit);
    if (failureLimit >= 0 && r.failed > failureLimit)
      out = { phase: "Failed", message: `failed (${r.failed}) > failureLimit (${failureLimit})` };
    const inconclusiveLimit = m.inconclusiveLimit === undefined ? 0 : Number(m.inconclusiveLimit);
    if (r.inconclusive > inconclusiveLimit)
      out = {
        phase: "Inconclusive",
        message: `inconclusive (${r.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`,
      };
    const errorLimit =
      m.consecutiveErrorLimit === undefined
        ? DEFAULT_CONSECUTIVE_ERROR_LIMIT
        : Number(m.consecutiveErrorLimit);
    if (r.consecutiveError > errorLimit)
      out = {
        phase: "Error",
        message: `consecutiveErrors (${r.consecutiveError}) > consecutiveErrorLimit (${errorLimit})`,
      };
    return out;
  }

  private assess(): void {
    const terminating = this.terminating;
    let worst: AnalysisPhase | undefined;
    let worstMessage = this.terminate ? "Run Terminated" : "";
    let allDone = true;
    this.metrics.forEach((m, i) => {
      const r = this.results[i]!;
      let status: AnalysisPhase;
      if (completed(r.phase)) status = r.phase;
      else if (r.measurements.length === 0) status = terminating ? "Successful" : "Pending";
      else {
        const broken = this.limitsBroken(m, r);
        const count = m.count === undefined ? undefined : Number(m.count);
        status =
          broken.phase ??
          (count !== undefined && r.count >= count ? "Successful" : terminating ? "Successful" : "Running");
      }
      if (status !== r.phase) {
        if (completed(status)) r.message = r.measurements.at(-1)?.message;
        r.phase = status;
      }
      if (!completed(status)) {
        allDone = false;
        return;
      }
      const broken = this.limitsBroken(m, r);
      if (worst === undefined || WORST_LAST.indexOf(status) > WORST_LAST.indexOf(worst)) {
        worst = status;
        if (broken.message !== undefined) {
          worstMessage = `Metric "${r.name}" assessed ${status} due to ${broken.message}`;
          if (r.message) worstMessage += `: "Error Message: ${r.message}"`;
        }
      }
    });
    // Terminating marks every running metric Successful, so a terminating run is all done.
    if (allDone && worst !== undefined) {
      this.phase = worst;
      this.message = worstMessage.trim();
    }
  }

  private async measure(m: any): Promise<Measurement> {
    const at = this.env.clock.t;
    const web = m.provider.web;
    const method: string = web.method ?? "GET";
    const original = new URL(web.url as string);
    const url = `${this.env.baseUrl()}${original.pathname}${original.search}`;
    const headers: Record<string, string> = {};
    for (const h of (web.headers ?? []) as { key: string; value: string }[]) headers[h.key] = h.value;
    let body: string | undefined;
    if (web.body !== undefined && web.jsonBody !== undefined)
      return {
        phase: "Error",
        message: "use either Body or JSONBody; both cannot exists for WebMetric payload",
        at,
        request: { method, url, headers },
      };
    if ((web.body !== undefined || web.jsonBody !== undefined) && method === "GET")
      return {
        phase: "Error",
        message: "Body/JSONBody can only be used with POST or PUT WebMetric Method types",
        at,
        request: { method, url, headers },
      };
    if (web.jsonBody !== undefined) {
      body = JSON.stringify(web.jsonBody);
      headers["Content-Type"] = "application/json";
    } else if (web.body !== undefined) body = String(web.body);
    const request = { method, url, headers, ...(body === undefined ? {} : { body }) };
    const timeout = (Number(web.timeoutSeconds ?? 0) > 0 ? Number(web.timeoutSeconds) : 10) * 1000;
    let status: number;
    let text: string;
    try {
      const r = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(timeout),
      });
      status = r.status;
      text = await r.text();
    } catch (e) {
      // net/http: `Post "<url>": <cause>`; only the cause's text differs from Go's.
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      return {
        phase: "Error",
        message: `${method[0]}${method.slice(1).toLowerCase()} "${web.url}": ${cause}`,
        at,
        request,
      };
    }
    if (status < 200 || status >= 300) {
      return { phase: "Error", message: `received non 2xx response code: ${status}`, at, request };
    }
    let result: unknown;
    let value: string;
    try {
      const data: unknown = JSON.parse(text);
      try {
        result = findJsonPath(data, (web.jsonPath as string | undefined) ?? "{$}");
      } catch (e) {
        return { phase: "Error", message: (e as Error).message, at, request };
      }
      value = JSON.stringify(result);
    } catch {
      result = text;
      value = text;
    }
    const evaluate = async (kind: string, cond: string | undefined): Promise<boolean | Error> => {
      if (cond === undefined || cond === "") return false;
      try {
        return await this.env.expr.evalCondition(result, cond);
      } catch (e) {
        return new Error(`could not evaluate ${kind} "${cond}": ${(e as Error).message}`);
      }
    };
    let success = await evaluate("successCondition", m.successCondition as string | undefined);
    if (success instanceof Error) return { phase: "Error", message: success.message, value, at, request };
    let failure = await evaluate("failureCondition", m.failureCondition as string | undefined);
    if (failure instanceof Error) return { phase: "Error", message: failure.message, value, at, request };
    const hasS = m.successCondition !== undefined && m.successCondition !== "";
    const hasF = m.failureCondition !== undefined && m.failureCondition !== "";
    if (!hasS && !hasF) return { phase: "Successful", value, at, request };
    if (hasS && !hasF) failure = !success;
    if (!hasS && hasF) success = !failure;
    const phase: AnalysisPhase = failure ? "Failed" : success ? "Successful" : "Inconclusive";
    return { phase, value, at, request };
  }
}

/** What the rollout is doing. */
export type RolloutState = "progressing" | "paused" | "aborted" | "promoted";

/** A canary Rollout replayed step by step. */
export class RolloutReplay {
  state: RolloutState = "progressing";
  /** The abort or pause message Argo shows. */
  message = "";
  stepIndex = 0;
  weight = 0;
  readonly runs: AnalysisRunReplay[] = [];
  private stepRun: AnalysisRunReplay | undefined;
  private background: AnalysisRunReplay | undefined;
  private pauseUntil: number | undefined;
  private readonly names = new Map<string, number>();
  readonly rollout: any;
  private readonly templates: readonly any[];
  private readonly env: ReplayEnv;
  /** The canary ("Latest") and stable pod-template hashes. */
  private readonly hashes: { readonly latest: string; readonly stable: string };
  /** The Rollout's `rollout.argoproj.io/revision`, part of AnalysisRun names. */
  readonly revision: string;

  constructor(
    rollout: any,
    templates: readonly any[],
    env: ReplayEnv,
    hashes: { readonly latest: string; readonly stable: string },
    revision = "2",
  ) {
    this.rollout = rollout;
    this.templates = templates;
    this.env = env;
    this.hashes = hashes;
    this.revision = revision;
  }

  /** utils/analysis BuildArgumentsForRolloutAnalysisRun. */
  private rolloutArgs(args: readonly any[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of args) {
      if (a.valueFrom?.podTemplateHashValue === "Latest") out[a.name] = this.hashes.latest;
      else if (a.valueFrom?.podTemplateHashValue === "Stable") out[a.name] = this.hashes.stable;
      else if (a.valueFrom?.fieldRef !== undefined) {
        const path = a.valueFrom.fieldRef.fieldPath as string;
        const m = /^metadata\.(name|namespace|uid)$/.exec(path);
        if (m === null) throw new Error(`the replay resolves metadata.name/namespace/uid only, not ${path}`);
        out[a.name] = String(this.rollout.metadata[m[1]!] ?? "");
      } else out[a.name] = String(a.value ?? "");
    }
    return out;
  }

  private createRun(templateRefs: readonly any[], args: readonly any[], infix: string): AnalysisRunReplay {
    const incoming = this.rolloutArgs(args);
    const templates = templateRefs.map((ref) => {
      const t = this.templates.find((x) => x.metadata.name === ref.templateName);
      if (t === undefined) throw new Error(`AnalysisTemplate ${ref.templateName} not found`);
      return t;
    });
    const namespace = this.rollout.metadata.namespace as string;
    const resolved: Record<string, string> = {};
    let argError: string | undefined;
    for (const a of templates.flatMap((t) => (t.spec.args ?? []) as any[])) {
      if (incoming[a.name] !== undefined) resolved[a.name] = incoming[a.name]!;
      else if (a.value !== undefined) resolved[a.name] = String(a.value);
      else if (a.valueFrom?.secretKeyRef !== undefined) {
        // analysis/analysis.go resolveArgs: Secrets(run namespace).Get(name)
        const ref = a.valueFrom.secretKeyRef as { name: string; key: string };
        const secret = this.env.secrets[namespace]?.[ref.name];
        if (secret === undefined) argError = `secrets "${ref.name}" not found`;
        else if (secret[ref.key] === undefined)
          argError = `key '${ref.key}' does not exist in secret '${ref.name}'`;
        else resolved[a.name] = secret[ref.key]!;
      } else argError = `args.${a.name} was not resolved`;
    }
    const base = [
      this.rollout.metadata.name,
      this.hashes.latest,
      this.revision,
      ...(infix === "" ? [] : [infix]),
    ].join("-");
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    const name = n === 0 ? base : `${base}.${n}`;
    const metrics =
      argError === undefined
        ? templates.flatMap((t) =>
            (t.spec.metrics as any[]).map((m) => JSON.parse(resolveQuotedArgs(JSON.stringify(m), resolved))),
          )
        : templates.flatMap((t) => t.spec.metrics as any[]);
    const run = new AnalysisRunReplay(name, namespace, metrics, resolved, this.env);
    if (argError !== undefined) {
      run.phase = "Error";
      run.message = `Unable to resolve metric arguments: ${argError}`;
    }
    this.runs.push(run);
    return run;
  }

  private get canary(): any {
    return this.rollout.spec.strategy.canary;
  }

  private abort(message: string): void {
    this.state = "aborted";
    this.message = message;
    this.terminateRuns();
    this.stepIndex = 0; // rollout/canary.go: an aborted canary goes back to step 0
    this.weight = 0;
    this.pauseUntil = undefined;
  }

  private terminateRuns(): void {
    for (const r of [this.stepRun, this.background])
      if (r !== undefined && !completed(r.phase)) r.terminate = true;
  }

  /** `kubectl argo rollouts abort`. */
  async abortByUser(): Promise<void> {
    this.abort("Rollout aborted update to revision " + this.revision);
    for (const r of [this.stepRun, this.background]) await r?.reconcile();
    this.stepRun = undefined;
    this.background = undefined;
  }

  /** `kubectl argo rollouts retry rollout`: the steps start again from 0 with new runs. */
  retry(): void {
    this.state = "progressing";
    this.message = "";
    this.stepRun = undefined;
    this.background = undefined;
  }

  private async reconcileBackground(): Promise<void> {
    const analysis = this.canary.analysis;
    if (analysis === undefined) return;
    const starting = Number(analysis.startingStep ?? 0);
    if (this.background === undefined && this.state === "progressing" && this.stepIndex >= starting) {
      this.background = this.createRun(analysis.templates, analysis.args ?? [], "");
    }
    const run = this.background;
    if (run === undefined) return;
    await run.reconcile();
    if (this.state !== "progressing") return;
    if (run.phase === "Failed" || run.phase === "Error") {
      this.abort(`Background analysis phase error/failed${run.message ? `: ${run.message}` : ""}`);
    } else if (run.phase === "Inconclusive") {
      this.state = "paused";
      this.message = `InconclusiveAnalysis${run.message ? `: ${run.message}` : ""}`;
    }
  }

  /** One reconcile at the clock's time. */
  async tick(): Promise<void> {
    await this.reconcileBackground();
    const now = this.env.clock.t;
    const steps = this.canary.steps as any[];
    while (this.state === "progressing") {
      const step = steps[this.stepIndex];
      if (step === undefined) {
        this.state = "promoted";
        this.message = "Rollout is healthy";
        if (this.background !== undefined && !completed(this.background.phase)) {
          this.background.terminate = true;
          await this.background.reconcile();
        }
        return;
      }
      if (step.setWeight !== undefined) {
        this.weight = Number(step.setWeight);
        this.stepIndex++;
        await this.reconcileBackground();
        continue;
      }
      if (step.pause !== undefined) {
        const d = durationSeconds(step.pause.duration as string | undefined);
        if (d === undefined) {
          this.state = "paused";
          this.message = "CanaryPauseStep";
          return;
        }
        this.pauseUntil ??= now + d;
        if (now < this.pauseUntil) return;
        this.pauseUntil = undefined;
        this.stepIndex++;
        continue;
      }
      if (step.analysis !== undefined) {
        this.stepRun ??= this.createRun(
          step.analysis.templates,
          step.analysis.args ?? [],
          String(this.stepIndex),
        );
        await this.stepRun.reconcile();
        const p = this.stepRun.phase;
        if (p === "Successful") {
          this.stepRun = undefined;
          this.stepIndex++;
          continue;
        }
        if (p === "Failed" || p === "Error") {
          this.abort(
            `Step-based analysis phase error/failed${this.stepRun.message ? `: ${this.stepRun.message}` : ""}`,
          );
          return;
        }
        if (p === "Inconclusive") {
          this.state = "paused";
          this.message = `InconclusiveAnalysis${this.stepRun.message ? `: ${this.stepRun.message}` : ""}`;
        }
        return;
      }
      throw new Error(`the replay does not model the step ${JSON.stringify(step)}`);
    }
  }

  /**
   * Advances the clock second by second until the rollout promotes, aborts or pauses, or
   * `until` passes; `before` runs before every reconcile (faults, restarts).
   */
  async run(until: number, before?: (t: number) => Promise<void> | void): Promise<RolloutState> {
    for (;;) {
      await before?.(this.env.clock.t);
      await this.tick();
      if (this.state !== "progressing" || this.env.clock.t >= until) return this.state;
      this.env.clock.t += 1;
    }
  }

  /** Every measurement of every run, oldest first, with its run and metric. */
  measurements(): (Measurement & { metric: string; run: string })[] {
    return this.runs
      .flatMap((r) => r.measurements().map((m) => ({ ...m, run: r.name })))
      .sort((a, b) => a.at - b.at);
  }
}
