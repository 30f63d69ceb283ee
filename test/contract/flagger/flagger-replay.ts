/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- Canary objects read from YAML are untyped by nature */
/**
 * @module test/contract/flagger/flagger-replay
 * A replay of Flagger's scheduler for a progressive canary (`stepWeight`/`maxWeight`) with the
 * shipped Canary's webhooks, written from Flagger v1.44.0's source (pkg/controller/scheduler.go,
 * scheduler_hooks.go, webhook.go, events.go; every rule is cited in docs/controllers.md):
 *
 * - one iteration per `analysis.interval`; a new revision first passes the `confirm-rollout`
 *   gate (re-asked every iteration while Waiting), then the status becomes Progressing, which
 *   changes the checksum every later hook carries (checksum = hash of the status'
 *   trackedConfigs and lastAppliedSpec);
 * - every iteration while Progressing/Waiting/WaitingPromotion: the `rollback` hooks first
 *   (inverted: a 2xx rolls back), then the failed-checks threshold, then `pre-rollout` (weight
 *   0) or the `rollout` hooks (each failure is a failed check and a "Halt … failed <err>"
 *   event), then `confirm-traffic-increase` and a weight step, or at `maxWeight`
 *   `confirm-promotion` (re-asked every iteration while it refuses); then Promoting,
 *   Finalising, Succeeded and the `post-rollout` hooks (phase Succeeded or Failed);
 * - webhook calls: POST, JSON `{name, namespace, phase, checksum, metadata}`, the hook's
 *   `timeout` (10 s by default), no retries; pass = 200, 201 or 202; a 4xx body becomes the
 *   error (and so the event message); a 5xx or a transport error gives "POST <url> giving up
 *   after 1 attempt(s)" (go-retryablehttp, RetryMax 0) — the body is lost;
 * - metric checks (`analysis.metrics` with a `templateRef` to a `prometheus` MetricTemplate),
 *   after the `rollout` hooks of each iteration (scheduler.go runAnalysis): the query rendered
 *   with `{{ name }}`, `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ ingress }}`,
 *   `{{ interval }}` (observers/render.go), whitespace collapsed, GET `<address>/api/v1/query`
 *   with Bearer (`token`) or basic (`username`/`password`) auth from the Secret, 5 s timeout;
 *   status ≥ 400 is an error; the last series' `value[1]` string is the value, none or NaN is
 *   "no values found"; `thresholdRange` min/max inclusive, else `threshold` as a maximum; any
 *   failure is a failed check (providers/prometheus.go, scheduler_metrics.go runMetricChecks);
 *   at initialization each provider must answer `vector(1)` with 1 (an event otherwise);
 * - every event goes to the `event` hooks with metadata eventMessage, eventType and a
 *   millisecond timestamp, plus the hook's own metadata where it does not clash.
 *
 * Time is a simulated clock shared with the slogate service; the only change made to what the
 * manifest says is the address (the cluster URL's origin becomes the bed's).
 */

export type CanaryPhase =
  | "Initialized"
  | "Waiting"
  | "Progressing"
  | "WaitingPromotion"
  | "Promoting"
  | "Finalising"
  | "Succeeded"
  | "Failed";

export interface HookCall {
  readonly at: number;
  readonly type: string;
  readonly name: string;
  readonly payload: any;
  /** HTTP status, or 0 when no answer came. */
  readonly status: number;
  readonly body: string;
  /** The error Flagger got from callWebhook, undefined on 200–202. */
  readonly error?: string;
}

export interface FlaggerEvent {
  readonly at: number;
  readonly type: "Normal" | "Warning";
  readonly message: string;
}

export interface FlaggerEnv {
  readonly clock: { t: number };
  readonly baseUrl: () => string;
  /**
   * Simulated seconds each webhook call takes (default 0: every hook of an iteration at its
   * tick). In a cluster the hooks of one iteration run one after another, each an HTTP round
   * trip, so they reach slogate seconds apart; iterations still start on the ticker
   * (scheduler.go: a time.Ticker of `analysis.interval`), not after the calls.
   */
  readonly callSeconds?: number;
  /** MetricTemplates in the cluster, `<namespace>/<name>` → the manifest. */
  readonly metricTemplates?: Readonly<Record<string, any>>;
  /** Secrets in the cluster, `<namespace>/<name>` → key → value. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** One query of the `prometheus` metric provider as sent, and what Flagger made of it. */
export interface MetricQuery {
  readonly at: number;
  readonly metric: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** HTTP status, or 0 when no answer came. */
  readonly status: number;
  readonly body: string;
  readonly value?: number;
  readonly error?: string;
}

/** Go's url.QueryEscape: space as +, everything but A-Z a-z 0-9 - _ . ~ escaped. */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** strconv.ParseFloat's accepted forms (decimal, exponent, NaN, ±Inf). */
const GO_FLOAT = /^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[Ii]nf(inity)?)$|^[Nn][Aa][Nn]$/;

/** providers.ErrNoValuesFound's text. */
export const NO_VALUES_FOUND = "no values found";

/** k8s.io/apimachinery rand.SafeEncodeString's alphabet (Flagger's ComputeHash output). */
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** A stand-in for Flagger's ComputeHash: fnv-1a 32 of the JSON, safe-encoded. */
function computeHash(value: unknown): string {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(JSON.stringify(value))) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join("");
}

function durationSeconds(d: string | undefined, fallback: number): number {
  if (d === undefined || d.length < 2) return fallback;
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (m === null) throw new Error(`unsupported duration ${d}`);
  const n = Number(m[1]);
  return m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "ms" ? n / 1000 : n;
}

/** One Canary replayed iteration by iteration. */
export class CanaryReplay {
  phase: CanaryPhase = "Succeeded";
  canaryWeight = 0;
  failedChecks = 0;
  iterations = 0;
  /** The target's pod template (its revision); change it to start a rollout. */
  targetSpec = "revision-1";
  private lastAppliedSpec = computeHash("revision-1");
  readonly calls: HookCall[] = [];
  /** Every metric query of the `prometheus` provider (checks and availability probes). */
  readonly queries: MetricQuery[] = [];
  readonly events: FlaggerEvent[] = [];
  /** Answers of the event hooks. */
  readonly eventCalls: HookCall[] = [];
  readonly canary: any;
  private readonly env: FlaggerEnv;

  constructor(canary: any, env: FlaggerEnv) {
    this.canary = canary;
    this.env = env;
  }

  private get analysis(): any {
    return this.canary.spec.analysis;
  }

  private get id(): string {
    return `${this.canary.metadata.name}.${this.canary.metadata.namespace}`;
  }

  /** metrics/observers/render.go RenderQuery with MetricTemplateModel's functions. */
  private renderQuery(template: string, interval: string): string {
    const spec = this.canary.spec;
    const model: Record<string, string> = {
      name: this.canary.metadata.name,
      namespace: this.canary.metadata.namespace,
      target: spec.targetRef.name,
      service: spec.service?.name ?? spec.targetRef.name,
      ingress: spec.ingressRef?.name ?? spec.targetRef.name,
      interval,
    };
    return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_all, fn: string) => {
      const v = model[fn];
      if (v === undefined) throw new Error(`the replay does not render {{ ${fn} }}`);
      return v;
    });
  }

  /** providers/prometheus.go NewPrometheusProvider + RunQuery (token → Bearer, else basic). */
  private async runQuery(
    metric: string,
    provider: any,
    credentials: Readonly<Record<string, string>> | undefined,
    query: string,
  ): Promise<{ value?: number; error?: string }> {
    const address = new URL(provider.address as string);
    const path = `${address.pathname.replace(/\/+$/, "")}/api/v1/query`;
    const url = `${this.env.baseUrl()}${path}?query=${goQueryEscape(query.replace(/\s+/g, " "))}`;
    const headers: Record<string, string> = {};
    if (credentials !== undefined) {
      if (credentials.token !== undefined) headers.Authorization = `Bearer ${credentials.token}`;
      else if (credentials.username !== undefined && credentials.password !== undefined) {
        if (credentials.username !== "" && credentials.password !== "")
          headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      } else throw new Error("prometheus credentials does not contain a username");
    }
    const at = this.env.clock.t;
    const record = (status: number, body: string, r: { value?: number; error?: string }) => {
      this.queries.push({ at, metric, url, headers, status, body, ...r });
      return r;
    };
    let status: number;
    let body: string;
    try {
      const r = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
      status = r.status;
      body = await r.text();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      return record(0, "", { error: `request failed: Get "${url}": ${cause}` });
    }
    if (status >= 400) return record(status, body, { error: `error response: ${body}` });
    let parsed: any;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return record(status, body, { error: `error unmarshaling result: ${(e as Error).message}, '${body}'` });
    }
    let value: number | undefined;
    for (const series of (parsed?.data?.result ?? []) as any[]) {
      const v = series?.value?.[1];
      if (typeof v !== "string") continue;
      if (!GO_FLOAT.test(v))
        return record(status, body, { error: `strconv.ParseFloat: parsing "${v}": invalid syntax` });
      value = Number(v.replace(/^([+-]?)[Ii]nf(inity)?$/, "$1Infinity").replace(/^[Nn][Aa][Nn]$/, "NaN"));
    }
    if (value === undefined || Number.isNaN(value)) return record(status, body, { error: NO_VALUES_FOUND });
    return record(status, body, { value });
  }

  private metricTemplate(metric: any): { template: any; credentials?: Record<string, string> } | string {
    const namespace = metric.templateRef.namespace ?? this.canary.metadata.namespace;
    const template = this.env.metricTemplates?.[`${namespace}/${metric.templateRef.name}`];
    if (template === undefined)
      return `Metric template ${metric.templateRef.name}.${namespace} error: not found`;
    if (template.spec.provider.type !== "prometheus")
      throw new Error("the replay models the prometheus provider only");
    const ref = template.spec.provider.secretRef?.name;
    if (ref === undefined) return { template };
    const credentials = this.env.secrets?.[`${namespace}/${ref}`];
    if (credentials === undefined)
      return `Metric template ${metric.templateRef.name}.${namespace} secret ${ref} error: secrets "${ref}" not found`;
    return { template, credentials: { ...credentials } };
  }

  /**
   * scheduler_metrics.go checkMetricProviderAvailability, at initialization: each template's
   * provider must answer `vector(1)` with 1; a failure is an event, not a halt.
   */
  async checkMetricProviders(): Promise<void> {
    for (const metric of (this.analysis.metrics ?? []) as any[]) {
      if (metric.templateRef === undefined) continue;
      const t = this.metricTemplate(metric);
      if (typeof t === "string") {
        await this.event("Warning", `Error checking metric providers: ${t}`);
        return;
      }
      const r = await this.runQuery(
        metric.name as string,
        t.template.spec.provider,
        t.credentials,
        "vector(1)",
      );
      const error = r.error ?? (r.value === 1 ? undefined : "value is not 1 for query: vector(1)");
      if (error !== undefined) {
        await this.event(
          "Warning",
          `Error checking metric providers: prometheus in metric template ${t.template.metadata.name}.${t.template.metadata.namespace} not avaiable: running query failed: ${error}`,
        );
        return;
      }
    }
    await this.event("Normal", "all the metrics providers are available!");
  }

  /** scheduler_metrics.go runMetricChecks: templateRef metrics, thresholdRange or threshold. */
  private async runMetricChecks(): Promise<boolean> {
    for (const metric of (this.analysis.metrics ?? []) as any[]) {
      if (metric.templateRef === undefined) throw new Error("the replay models templateRef metrics only");
      const t = this.metricTemplate(metric);
      if (typeof t === "string") {
        await this.event("Warning", t);
        return false;
      }
      const query = this.renderQuery(
        t.template.spec.query as string,
        (metric.interval as string | undefined) ?? "",
      );
      const r = await this.runQuery(metric.name as string, t.template.spec.provider, t.credentials, query);
      if (r.error !== undefined) {
        await this.event(
          "Warning",
          r.error === NO_VALUES_FOUND
            ? `Halt advancement no values found for custom metric: ${metric.name}: ${r.error}`
            : `Metric query failed for ${metric.name}: ${r.error}`,
        );
        return false;
      }
      const val = r.value!;
      const range = metric.thresholdRange;
      if (range !== undefined) {
        if (range.min !== undefined && val < Number(range.min)) {
          await this.event(
            "Warning",
            `Halt ${this.id} advancement ${metric.name} ${val.toFixed(2)} < ${range.min}`,
          );
          return false;
        }
        if (range.max !== undefined && val > Number(range.max)) {
          await this.event(
            "Warning",
            `Halt ${this.id} advancement ${metric.name} ${val.toFixed(2)} > ${range.max}`,
          );
          return false;
        }
      } else if (val > Number(metric.threshold ?? 0)) {
        await this.event(
          "Warning",
          `Halt ${this.id} advancement ${metric.name} ${val.toFixed(2)} > ${metric.threshold ?? 0}`,
        );
        return false;
      }
    }
    return true;
  }

  /** webhook.go canaryChecksum. */
  checksum(): string {
    return computeHash({ TrackedConfigs: null, LastAppliedSpec: this.lastAppliedSpec });
  }

  private hooks(type: string): any[] {
    return ((this.analysis.webhooks ?? []) as any[]).filter((w) => (w.type ?? "rollout") === type);
  }

  /** webhook.go callWebhook with go-retryablehttp (RetryMax = retries, default 0). */
  private async post(w: any, payload: unknown): Promise<{ status: number; body: string; error?: string }> {
    const original = new URL(w.url as string);
    const url = `${this.env.baseUrl()}${original.pathname}${original.search}`;
    const timeout = durationSeconds(w.timeout as string | undefined, 10) * 1000;
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeout),
      });
      const body = await r.text();
      if (r.status >= 500 && r.status !== 501) {
        return { status: r.status, body, error: `POST ${w.url} giving up after 1 attempt(s)` };
      }
      return r.status > 202 ? { status: r.status, body, error: body } : { status: r.status, body };
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      return {
        status: 0,
        body: "",
        error: `POST ${w.url} giving up after 1 attempt(s): Post "${w.url}": ${cause}`,
      };
    }
  }

  /** webhook.go CallWebhook. */
  private async call(w: any, phase: CanaryPhase): Promise<string | undefined> {
    const payload = {
      name: this.canary.metadata.name,
      namespace: this.canary.metadata.namespace,
      phase,
      checksum: this.checksum(),
      metadata: w.metadata ?? {},
    };
    const r = await this.post(w, payload);
    this.calls.push({ at: this.env.clock.t, type: w.type, name: w.name, payload, ...r });
    this.env.clock.t += this.env.callSeconds ?? 0;
    return r.error;
  }

  /** events.go recordEvent* → sendEventToWebhook → CallEventWebhook. */
  private async event(
    type: "Normal" | "Warning",
    message: string,
    phase: CanaryPhase = this.phase,
  ): Promise<void> {
    this.events.push({ at: this.env.clock.t, type, message });
    for (const w of this.hooks("event")) {
      const metadata: Record<string, string> = {
        eventMessage: message,
        eventType: type,
        timestamp: String(Math.round(this.env.clock.t * 1000)),
      };
      for (const [k, v] of Object.entries((w.metadata ?? {}) as Record<string, string>))
        if (!(k in metadata)) metadata[k] = v;
      const payload = {
        name: this.canary.metadata.name,
        namespace: this.canary.metadata.namespace,
        phase,
        checksum: this.checksum(),
        metadata,
      };
      const r = await this.post(w, payload);
      this.eventCalls.push({ at: this.env.clock.t, type: "event", name: w.name, payload, ...r });
    }
  }

  private async runHooks(
    type: string,
    phase: CanaryPhase,
  ): Promise<{ ok: boolean; failed?: any; error?: string }> {
    for (const w of this.hooks(type)) {
      const error = await this.call(w, phase);
      if (error !== undefined) return { ok: false, failed: w, error };
    }
    return { ok: true };
  }

  private async rollback(): Promise<void> {
    const threshold = Number(this.analysis.threshold ?? 1);
    if (this.failedChecks >= threshold) {
      await this.event(
        "Warning",
        `Rolling back ${this.id} failed checks threshold reached ${this.failedChecks}`,
      );
    }
    await this.event("Warning", `Canary failed! Scaling down ${this.id}`, "Failed");
    this.phase = "Failed";
    this.canaryWeight = 0;
    for (const w of this.hooks("post-rollout")) {
      const error = await this.call(w, "Failed");
      if (error !== undefined) await this.event("Warning", `Post-rollout hook ${w.name} failed ${error}`);
      else await this.event("Normal", `Post-rollout check ${w.name} passed`);
    }
  }

  /** One scheduler iteration (scheduler.go advanceCanary) at the clock's time. */
  async iteration(): Promise<void> {
    const maxWeight = Number(this.analysis.maxWeight ?? 100);
    const stepWeight = Number(this.analysis.stepWeight ?? 0);
    const threshold = Number(this.analysis.threshold ?? 1);
    const revisionChanged = computeHash(this.targetSpec) !== this.lastAppliedSpec;
    const active = ["Progressing", "Waiting", "WaitingPromotion", "Promoting", "Finalising"].includes(
      this.phase,
    );
    if (!active && !revisionChanged) return;

    // checkCanaryStatus
    if (!["Progressing", "WaitingPromotion", "Promoting", "Finalising"].includes(this.phase)) {
      for (const w of this.hooks("confirm-rollout")) {
        const error = await this.call(w, this.phase);
        if (error !== undefined) {
          if (this.phase !== "Waiting") {
            this.phase = "Waiting";
            await this.event("Warning", `Halt ${this.id} advancement waiting for approval ${w.name}`);
          }
          return;
        }
        await this.event("Normal", `Confirm-rollout check ${w.name} passed`);
      }
      await this.event(
        "Normal",
        `New revision detected! Scaling up ${this.canary.spec.targetRef.name}.${this.canary.metadata.namespace}`,
        "Progressing",
      );
      // SyncStatus: Progressing, lastAppliedSpec of the new revision (the checksum changes).
      this.phase = "Progressing";
      this.lastAppliedSpec = computeHash(this.targetSpec);
      this.failedChecks = 0;
      this.canaryWeight = 0;
      this.iterations = 0;
      return;
    }
    if (revisionChanged) {
      await this.event(
        "Normal",
        `New revision detected! Restarting analysis for ${this.canary.spec.targetRef.name}.${this.canary.metadata.namespace}`,
      );
      this.phase = "Progressing";
      this.lastAppliedSpec = computeHash(this.targetSpec);
      this.failedChecks = 0;
      this.canaryWeight = 0;
      this.iterations = 0;
      return;
    }
    if (["Progressing", "Waiting", "WaitingPromotion"].includes(this.phase)) {
      for (const w of this.hooks("rollback")) {
        const error = await this.call(w, this.phase);
        if (error !== undefined) {
          await this.event("Normal", `Rollback hook ${w.name} not signaling a rollback`);
        } else {
          await this.event("Warning", `Rollback check ${w.name} passed`);
          await this.event("Warning", `Rolling back ${this.id} manual webhook invoked`);
          await this.rollback();
          return;
        }
      }
    }
    if (this.phase === "Promoting") {
      await this.event("Normal", "Routing all traffic to primary");
      this.phase = "Finalising";
      return;
    }
    if (this.phase === "Finalising") {
      this.phase = "Succeeded";
      for (const w of this.hooks("post-rollout")) {
        const error = await this.call(w, "Succeeded");
        if (error !== undefined)
          await this.event("Warning", `Post-rollout hook ${w.name} failed ${error}`, "Succeeded");
        else await this.event("Normal", `Post-rollout check ${w.name} passed`, "Succeeded");
      }
      await this.event(
        "Normal",
        `Promotion completed! Scaling down ${this.canary.spec.targetRef.name}.${this.canary.metadata.namespace}`,
        "Succeeded",
      );
      return;
    }
    if (
      (this.phase === "Progressing" || this.phase === "WaitingPromotion") &&
      this.failedChecks >= threshold
    ) {
      await this.rollback();
      return;
    }
    if (this.canaryWeight === 0 && this.iterations === 0) {
      await this.event(
        "Normal",
        `Starting canary analysis for ${this.canary.spec.targetRef.name}.${this.canary.metadata.namespace}`,
      );
      for (const w of this.hooks("pre-rollout")) {
        const error = await this.call(w, "Progressing");
        if (error !== undefined) {
          await this.event(
            "Warning",
            `Halt ${this.id} advancement pre-rollout check ${w.name} failed ${error}`,
          );
          this.failedChecks++;
          return;
        }
        await this.event("Normal", `Pre-rollout check ${w.name} passed`);
      }
    } else {
      const r = await this.runHooks("rollout", "Progressing");
      if (!r.ok) {
        await this.event(
          "Warning",
          `Halt ${this.id} advancement external check ${r.failed.name} failed ${r.error}`,
        );
        this.failedChecks++;
        return;
      }
      // scheduler.go runAnalysis: the rollout hooks, then the metric checks.
      if (!(await this.runMetricChecks())) {
        this.failedChecks++;
        return;
      }
    }
    if (stepWeight <= 0) throw new Error("the replay models progressive canaries (stepWeight) only");
    // Reached only while Progressing or WaitingPromotion (Promoting and Finalising returned above).
    if (this.phase !== "WaitingPromotion") {
      for (const w of this.hooks("confirm-traffic-increase")) {
        const error = await this.call(w, "Progressing");
        if (error !== undefined) {
          await this.event(
            "Warning",
            `Halt ${this.id} advancement waiting for traffic increase approval ${w.name}`,
          );
          return;
        }
        await this.event("Normal", `Confirm-traffic-increase check ${w.name} passed`);
      }
    }
    if (this.canaryWeight < maxWeight) {
      this.canaryWeight = Math.min(100, this.canaryWeight + stepWeight);
      await this.event("Normal", `Advance ${this.id} canary weight ${this.canaryWeight}`);
      return;
    }
    for (const w of this.hooks("confirm-promotion")) {
      const error = await this.call(w, "Progressing");
      if (error !== undefined) {
        if (this.phase !== "WaitingPromotion") {
          this.phase = "WaitingPromotion";
          await this.event("Warning", `Halt ${this.id} advancement waiting for promotion approval ${w.name}`);
        }
        return;
      }
      await this.event("Normal", `Confirm-promotion check ${w.name} passed`);
    }
    await this.event(
      "Normal",
      `Copying ${this.canary.spec.targetRef.name}.${this.canary.metadata.namespace} template spec to ${this.canary.spec.targetRef.name}-primary.${this.canary.metadata.namespace}`,
    );
    this.phase = "Promoting";
  }

  /**
   * Iterates every `analysis.interval` until Succeeded or Failed, or until `until`;
   * `before` runs before every iteration (faults, restarts).
   */
  async run(until: number, before?: (t: number) => Promise<void> | void): Promise<CanaryPhase> {
    const interval = durationSeconds(this.analysis.interval as string | undefined, 60);
    let started = false;
    let tick = this.env.clock.t;
    for (;;) {
      await before?.(this.env.clock.t);
      await this.iteration();
      if (this.phase === "Progressing") started = true;
      if (started && (this.phase === "Succeeded" || this.phase === "Failed")) return this.phase;
      if (tick + interval > until) return this.phase;
      tick += interval;
      this.env.clock.t = Math.max(this.env.clock.t, tick);
    }
  }
}
