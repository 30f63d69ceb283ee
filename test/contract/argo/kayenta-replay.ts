/* eslint-disable @typescript-eslint/no-explicit-any -- Argo objects read from YAML and JSON bodies are untyped by nature */
/**
 * @module test/contract/argo/kayenta-replay
 * A replay of Argo Rollouts' `kayenta` metric provider and of the Rollout steps around it,
 * written from argo-rollouts' source (`metricproviders/kayenta/kayenta.go`, the analysis
 * controller's measurement loop, the canary step logic; rules K1–K8 in docs/controllers.md):
 *
 * - Run: `GET {address}/canaryConfig?application=<application>&configurationAccountName=<storageAccountName>`
 *   (the storage account, as Argo passes it), the query parameters pasted unescaped; a non-200
 *   or no body is an Error "Invalid Response"; the id of the first entry whose `name` equals
 *   `canaryConfigName` (none: the empty id, and the error stays nil). Then
 *   `POST {address}/canary/<id>?application=&metricsAccountName=&configurationAccountName=&storageAccountName=`
 *   with Content-Type application/json and Argo's payload (`scopes` from json.Marshal of each
 *   ScopeDetail: scope, region, step, start, end; `thresholds` pass/marginal); anything but 200
 *   is "Invalid Response"; `canaryExecutionId` is read with `%v` (absent → `<nil>`); the
 *   measurement is Running with ResumeAt = now + 15 s.
 * - Resume at ResumeAt: `GET {address}/canary/<executionId>`; non-200 → Error; `complete`
 *   must be a boolean (absent → "Missing Complete Status"); false → Running again in 15 s;
 *   true → `result.judgeResult.score.score` as a float (absent → "Missing Score"), truncated
 *   to an int: ≥ pass Successful, ≥ marginal Inconclusive, else Failed.
 * - The HTTP client: 15 s timeout, no headers of the template's, no credentials.
 * - The AnalysisRun: a measurement when the last one finished `interval` ago (10 s after an
 *   Error); `count` counts only non-Error measurements; Failed when failed > failureLimit (0),
 *   Inconclusive when inconclusive > inconclusiveLimit (0), Error when consecutive errors >
 *   consecutiveErrorLimit (4).
 * - The Rollout: `setWeight` and `pause` steps in order; an `analysis` step blocks until its
 *   run completes: Successful goes on, Failed and Error abort, Inconclusive pauses; when the
 *   steps are done the rollout is promoted.
 *
 * Time is a simulated clock shared with the slogate service. The only change made to what the
 * manifests say is the address: its origin becomes the bed's (its path is kept).
 */

export type KayentaPhase = "Running" | "Successful" | "Failed" | "Inconclusive" | "Error";

/** kayenta.go resumeDelay and httpConnectionTimout. */
export const KAYENTA_RESUME_SECONDS = 15;
export const KAYENTA_TIMEOUT_MS = 15_000;

export interface KayentaRequest {
  readonly at: number;
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly body?: string;
  readonly status: number;
  readonly response: string;
}

export interface KayentaMeasurement {
  phase: KayentaPhase;
  readonly startedAt: number;
  finishedAt?: number;
  resumeAt?: number;
  executionId?: string;
  value?: string;
  message?: string;
}

export interface KayentaEnv {
  readonly clock: { t: number };
  /** The origin that replaces the address' origin. */
  readonly origin: () => string;
  /** podTemplateHashValue: Latest and Stable. */
  readonly hashes: { readonly Latest: string; readonly Stable: string };
  /**
   * Awaited before every reconcile: the test lets the service finish work it runs in the
   * background (the simulated clock does not move while it works, as 15 s would pass in a
   * cluster).
   */
  readonly settle?: () => Promise<void>;
}

function seconds(d: string | undefined): number {
  if (d === undefined) return 0;
  const m = /^(\d+)(s|m|h)?$/.exec(d);
  if (m === null) throw new Error(`unsupported duration ${d}`);
  return Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
}

/** The payload format of kayenta.go (jobPayloadFormat, scopeFormat), as Argo sends it. */
function jobPayload(k: any): string {
  const scopes = (k.scopes as any[])
    .map((s) => {
      const detail = (d: any) =>
        JSON.stringify({
          scope: String(d?.scope ?? ""),
          region: String(d?.region ?? ""),
          step: Number(d?.step ?? 0),
          start: String(d?.start ?? ""),
          end: String(d?.end ?? ""),
        });
      return `"${s.name}":{"controlScope": ${detail(s.controlScope)}, "experimentScope": ${detail(s.experimentScope)}}`;
    })
    .join(",");
  return `
							{
								"scopes": {
										${scopes}
								},
                                "thresholds" : {
                                    "pass": ${Number(k.threshold.pass)},
                                    "marginal": ${Number(k.threshold.marginal)}
                                }
                            }`;
}

/** One AnalysisRun of a template whose metrics all use the kayenta provider. */
export class KayentaRunReplay {
  phase: KayentaPhase = "Running";
  message = "";
  readonly requests: KayentaRequest[] = [];
  readonly measurements: KayentaMeasurement[] = [];
  private readonly metric: any;
  private readonly env: KayentaEnv;
  private counts = { successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0 };

  constructor(template: any, args: Readonly<Record<string, string>>, env: KayentaEnv) {
    const metrics = template.spec.metrics as any[];
    if (metrics.length !== 1 || metrics[0].provider?.kayenta === undefined)
      throw new Error("the replay models one kayenta metric");
    // utils/template ResolveArgs over the metric's JSON.
    const text = JSON.stringify(metrics[0]).replace(
      /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g,
      (_w, n: string) => {
        const v = args[n];
        if (v === undefined) throw new Error(`failed to resolve {{args.${n}}}`);
        return JSON.stringify(v).slice(1, -1);
      },
    );
    this.metric = JSON.parse(text);
    this.env = env;
  }

  private address(): string {
    const a = new URL(this.metric.provider.kayenta.address as string);
    return `${this.env.origin()}${a.pathname.replace(/\/$/, "")}`;
  }

  private async http(
    method: "GET" | "POST",
    url: string,
    body?: string,
  ): Promise<{ status: number; text: string } | string> {
    const at = this.env.clock.t;
    try {
      const r = await fetch(url, {
        method,
        ...(body === undefined ? {} : { body, headers: { "Content-Type": "application/json" } }),
        signal: AbortSignal.timeout(KAYENTA_TIMEOUT_MS),
      });
      const text = await r.text();
      this.requests.push({
        at,
        method,
        url,
        ...(body === undefined ? {} : { body }),
        status: r.status,
        response: text,
      });
      return { status: r.status, text };
    } catch (e) {
      this.requests.push({
        at,
        method,
        url,
        ...(body === undefined ? {} : { body }),
        status: 0,
        response: "",
      });
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      return `${method === "GET" ? "Get" : "Post"} "${url}": ${cause}`;
    }
  }

  /** kayenta.go Run. */
  private async run(): Promise<KayentaMeasurement> {
    const k = this.metric.provider.kayenta;
    const m: KayentaMeasurement = { phase: "Running", startedAt: this.env.clock.t };
    const error = (message: string): KayentaMeasurement => ({
      ...m,
      phase: "Error",
      message,
      finishedAt: this.env.clock.t,
    });
    const base = this.address();
    const list = await this.http(
      "GET",
      `${base}/canaryConfig?application=${k.application}&configurationAccountName=${k.storageAccountName}`,
    );
    if (typeof list === "string") return error(list);
    if (list.status !== 200) return error("Invalid Response");
    let configs: any[];
    try {
      configs = JSON.parse(list.text);
      if (!Array.isArray(configs))
        return error("json: cannot unmarshal object into Go value of type []kayenta.canaryConfig");
    } catch (e) {
      return error((e as Error).message);
    }
    const id = (configs.find((c) => c?.name === k.canaryConfigName)?.id as string | undefined) ?? "";
    const job = await this.http(
      "POST",
      `${base}/canary/${id}?application=${k.application}&metricsAccountName=${k.metricsAccountName}&configurationAccountName=${k.configurationAccountName}&storageAccountName=${k.storageAccountName}`,
      jobPayload(k),
    );
    if (typeof job === "string") return error(job);
    if (job.status !== 200) return error("Invalid Response");
    let data: any;
    try {
      data = JSON.parse(job.text);
    } catch (e) {
      return error((e as Error).message);
    }
    const executionId =
      data?.canaryExecutionId === undefined || data?.canaryExecutionId === null
        ? "<nil>"
        : String(data.canaryExecutionId);
    return { ...m, executionId, resumeAt: this.env.clock.t + KAYENTA_RESUME_SECONDS };
  }

  /** kayenta.go Resume. */
  private async resume(m: KayentaMeasurement): Promise<void> {
    const k = this.metric.provider.kayenta;
    const error = (message: string): void => {
      m.phase = "Error";
      m.message = message;
      m.finishedAt = this.env.clock.t;
      delete m.resumeAt;
    };
    const r = await this.http("GET", `${this.address()}/canary/${m.executionId}`);
    if (typeof r === "string") return error(r);
    if (r.status !== 200) return error("Invalid Response");
    let patch: any;
    try {
      patch = JSON.parse(r.text);
    } catch (e) {
      return error((e as Error).message);
    }
    if (!("complete" in patch)) return error("Missing Complete Status");
    if (typeof patch.complete !== "boolean")
      return error(
        `.complete accessor error: ${JSON.stringify(patch.complete)} is of the type ${typeof patch.complete}, expected bool`,
      );
    if (!patch.complete) {
      m.resumeAt = this.env.clock.t + KAYENTA_RESUME_SECONDS;
      return;
    }
    const score = patch?.result?.judgeResult?.score?.score;
    if (score === undefined) return error("Missing Score");
    if (typeof score !== "number")
      return error(`.result.judgeResult.score.score accessor error: expected float64`);
    const s = Math.trunc(score);
    m.value = String(s);
    m.phase =
      s >= Number(k.threshold.pass)
        ? "Successful"
        : s >= Number(k.threshold.marginal)
          ? "Inconclusive"
          : "Failed";
    m.finishedAt = this.env.clock.t;
    delete m.resumeAt;
  }

  /** When the next reconcile has work (a resume or a new measurement), or undefined when done. */
  nextAt(): number | undefined {
    if (this.phase !== "Running") return undefined;
    const last = this.measurements.at(-1);
    if (last === undefined) return this.env.clock.t;
    if (last.phase === "Running") return last.resumeAt!;
    return (
      last.finishedAt! + (last.phase === "Error" ? 10 : seconds(this.metric.interval as string | undefined))
    );
  }

  /** One reconcile at the clock's time. */
  async reconcile(): Promise<void> {
    await this.env.settle?.();
    const due = this.nextAt();
    if (due === undefined || this.env.clock.t < due) return;
    const last = this.measurements.at(-1);
    if (last?.phase === "Running") await this.resume(last);
    else this.measurements.push(await this.run());
    const m = this.measurements.at(-1)!;
    if (m.phase === "Running") return;
    const c = this.counts;
    if (m.phase === "Error") {
      c.error++;
      c.consecutiveError++;
    } else {
      c.consecutiveError = 0;
      if (m.phase === "Successful") c.successful++;
      if (m.phase === "Failed") c.failed++;
      if (m.phase === "Inconclusive") c.inconclusive++;
    }
    const failureLimit = Number(this.metric.failureLimit ?? 0);
    const inconclusiveLimit = Number(this.metric.inconclusiveLimit ?? 0);
    const errorLimit = Number(this.metric.consecutiveErrorLimit ?? 4);
    const count = this.metric.count === undefined ? undefined : Number(this.metric.count);
    if (c.failed > failureLimit)
      this.finish("Failed", `failed (${c.failed}) > failureLimit (${failureLimit})`);
    else if (c.inconclusive > inconclusiveLimit)
      this.finish(
        "Inconclusive",
        `inconclusive (${c.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`,
      );
    else if (c.consecutiveError > errorLimit)
      this.finish(
        "Error",
        `consecutiveErrors (${c.consecutiveError}) > consecutiveErrorLimit (${errorLimit})`,
      );
    else if (count !== undefined && c.successful + c.failed + c.inconclusive >= count)
      this.finish("Successful", "");
  }

  private finish(phase: KayentaPhase, reason: string): void {
    this.phase = phase;
    const last = this.measurements.at(-1);
    this.message =
      reason === ""
        ? ""
        : `Metric "${this.metric.name}" assessed ${phase} due to ${reason}${last?.message === undefined ? "" : `: "Error Message: ${last.message}"`}`;
  }
}

export type KayentaRolloutState = "progressing" | "paused" | "aborted" | "promoted";

/** A Rollout's canary steps around `analysis` steps whose templates use the kayenta provider. */
export class KayentaRolloutReplay {
  state: KayentaRolloutState = "progressing";
  message = "";
  weight = 0;
  readonly runs: KayentaRunReplay[] = [];
  private step = 0;
  private readonly rollout: any;
  private readonly templates: Readonly<Record<string, any>>;
  private readonly env: KayentaEnv;

  constructor(rollout: any, templates: Readonly<Record<string, any>>, env: KayentaEnv) {
    this.rollout = rollout;
    this.templates = templates;
    this.env = env;
    if (rollout.spec.strategy.canary.analysis !== undefined)
      throw new Error("the replay models step analyses only");
  }

  private args(step: any): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of (step.analysis.args ?? []) as any[]) {
      const from = a.valueFrom?.podTemplateHashValue as "Latest" | "Stable" | undefined;
      out[a.name] = from === undefined ? String(a.value) : this.env.hashes[from];
    }
    return out;
  }

  /** Runs the steps until the rollout is promoted, aborted or paused, or until `until`. */
  async run(until: number): Promise<KayentaRolloutState> {
    const steps = this.rollout.spec.strategy.canary.steps as any[];
    while (this.state === "progressing" && this.env.clock.t <= until) {
      const step = steps[this.step];
      if (step === undefined) {
        this.state = "promoted";
        this.weight = 100;
        break;
      }
      if (step.setWeight !== undefined) {
        this.weight = Number(step.setWeight);
        this.step++;
      } else if (step.pause !== undefined) {
        this.env.clock.t += seconds(step.pause.duration as string | undefined);
        this.step++;
      } else if (step.analysis !== undefined) {
        const names = (step.analysis.templates as any[]).map((t) => t.templateName as string);
        if (names.length !== 1) throw new Error("the replay models one template per analysis step");
        const template = this.templates[names[0]!];
        if (template === undefined) throw new Error(`no AnalysisTemplate ${names[0]}`);
        const run = new KayentaRunReplay(template, this.args(step), this.env);
        this.runs.push(run);
        for (;;) {
          await run.reconcile();
          const next = run.nextAt();
          if (next === undefined || next > until) break;
          this.env.clock.t = Math.max(this.env.clock.t, next);
        }
        if (run.phase === "Running") break;
        if (run.phase === "Successful") this.step++;
        else if (run.phase === "Inconclusive") {
          this.state = "paused";
          this.message = run.message;
        } else {
          this.state = "aborted";
          this.weight = 0;
          this.message = `RolloutAborted: Rollout aborted update to revision 2: ${run.message}`;
        }
      } else throw new Error(`the replay does not model step ${JSON.stringify(step)}`);
    }
    return this.state;
  }
}
