/**
 * @module sim/scrapes
 * The per-scrape sample API, for loading a real Prometheus: a scenario replayed as the series
 * a Prometheus would have scraped from every pod, with cumulative counter values at each
 * scrape time, counter resets on pod restarts and series created lazily (a pod's `code="500"`
 * series appears with its first error, like client libraries do). Pure and deterministic.
 *
 * Series (labels `service`, `pod`, `rollouts_pod_template_hash`):
 * - `http_requests_total{code="200"|"404"|"500"}`
 * - `http_request_duration_seconds_bucket{le}` (cumulative, `+Inf` last), `_count`, `_sum`
 *
 * Timing: scrapes happen at `start + k·scrapeIntervalSeconds` (unix seconds). Stable pods
 * exist since before the history window and carry counter values from earlier traffic;
 * canary pods are born at `start` and their counters start at 0. A restart at time r resets
 * the pod's counters at the first scrape at or after r (the requests of that scrape interval
 * are all counted after the restart, so a reader loses none of them).
 *
 * Ground truth (`scrapeTruth`): per series, the base is the last sample at or before `from`
 * (0 when the series was born later); the increment is the sum of the deltas of the samples
 * in (from, to], where a drop means a reset and counts the new value whole — Prometheus'
 * counter rule. It is exactly what the raw samples say, so a reader of Prometheus that is
 * correct must reproduce it to the request.
 *
 * ```ts
 * const sim = simulateScrapes(SCENARIOS.healthy, { seed: 7, start: 1_700_000_000 });
 * sim.series;                                          // SimSeries[] to load into Prometheus
 * scrapeTruth(sim, "canary", sim.start, sim.start + 600); // { total, bad, clientErrors, buckets }
 * ```
 */
import { bucketMeans } from "./latency.ts";
import { createRng, type Rng } from "./random.ts";
import { behaviourAt, type Scenario, type SimArm } from "./scenario.ts";
import { BucketCache, drawInterval, drawRequests, emptyCounts, type IntervalCounts } from "./traffic.ts";

/** One sample: unix seconds and value. */
export interface SimSample {
  readonly t: number;
  readonly v: number;
}

/** One series with its samples, ascending in time. */
export interface SimSeries {
  readonly metric: string;
  /** Labels without `__name__`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly arm: SimArm;
  readonly samples: SimSample[];
}

/** How `le` values are spelled: Prometheus 2 (`"1"`), Prometheus 3 (`"1.0"`), or per pod both. */
export type LeStyle = "prometheus2" | "prometheus3" | "mixed";

export interface ScrapeOptions {
  readonly seed: number | string;
  /** Unix seconds of the analysis start (t = 0). An integer. */
  readonly start: number;
  /** Seconds since start up to which to scrape (default: the scenario's duration). */
  readonly until?: number;
  readonly leStyle?: LeStyle;
}

/** The simulated scrapes. */
export interface SimScrapes {
  readonly scenario: Scenario;
  readonly start: number;
  /** Unix seconds of the first and last scrape. */
  readonly firstScrape: number;
  readonly lastScrape: number;
  readonly series: readonly SimSeries[];
  /** Pod names per arm. */
  readonly pods: Readonly<Record<SimArm, readonly string[]>>;
}

/** Formats a bucket bound as an `le` label value. */
export function formatLe(bound: number, style: "prometheus2" | "prometheus3"): string {
  if (bound === Infinity) return "+Inf";
  const s = String(bound);
  return style === "prometheus3" && /^-?\d+$/.test(s) ? `${s}.0` : s;
}

const POD_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function podName(rng: Rng, service: string, hash: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += POD_ALPHABET[Math.floor(rng.uniform() * POD_ALPHABET.length)] ?? "x";
  return `${service}-${hash}-${suffix}`;
}

interface PodState {
  readonly arm: SimArm;
  readonly index: number;
  readonly labels: Record<string, string>;
  readonly le: readonly string[];
  readonly bornAt: number;
  codes: Record<"200" | "404" | "500", number>;
  /** Whether the code series exists in the current process. */
  created: Record<"200" | "404" | "500", boolean>;
  buckets: number[];
  sum: number;
  readonly series: Map<string, SimSeries>;
}

/** Replays `scenario` as scraped series. */
export function simulateScrapes(scenario: Scenario, opts: ScrapeOptions): SimScrapes {
  const s = scenario;
  const rng = createRng(`${String(opts.seed)}/scrapes/${s.name}`);
  const cache = new BucketCache(s.buckets);
  const step = s.scrapeIntervalSeconds;
  const until = opts.until ?? s.durationSeconds;
  const kFirst = -Math.floor(s.historySeconds / step);
  const kLast = Math.floor(until / step);
  const style = opts.leStyle ?? "prometheus2";
  const all: SimSeries[] = [];
  const pods: PodState[] = [];
  const names: Record<SimArm, string[]> = { canary: [], stable: [] };

  for (const arm of ["stable", "canary"] as const) {
    const a = s[arm];
    for (let i = 0; i < a.pods; i++) {
      const pod = podName(rng, s.service, a.hash);
      names[arm].push(pod);
      const podStyle = style === "mixed" ? (i % 2 === 0 ? "prometheus2" : "prometheus3") : style;
      const st: PodState = {
        arm,
        index: i,
        labels: { service: s.service, pod, rollouts_pod_template_hash: a.hash },
        le: s.buckets.map((b) => formatLe(b, podStyle)),
        bornAt: arm === "canary" ? 0 : -Infinity,
        codes: { "200": 0, "404": 0, "500": 0 },
        created: { "200": false, "404": false, "500": false },
        buckets: new Array<number>(s.buckets.length).fill(0),
        sum: 0,
        series: new Map(),
      };
      if (arm === "stable") {
        // Traffic served before the history window: counters do not start at zero.
        const beh = behaviourAt(a, kFirst * step);
        const n = Math.round((s.requestsPerSecond * 3600) / Math.max(1, a.pods));
        addToPod(st, drawRequests(rng, n, beh, cache.get(beh)), bucketMeans(beh.latency, s.buckets));
      }
      pods.push(st);
    }
  }

  const restartsDue = (st: PodState, from: number, to: number): boolean =>
    (s[st.arm].restarts ?? []).some((r) => r.pod === st.index && r.at > from && r.at <= to);

  for (let k = kFirst; k <= kLast; k++) {
    const t = k * step;
    for (const st of pods) {
      if (t < st.bornAt) continue;
      if (t > st.bornAt && t > kFirst * step) {
        const from = Math.max(st.bornAt, t - step);
        if (restartsDue(st, from, t)) {
          st.codes = { "200": 0, "404": 0, "500": 0 };
          st.buckets = st.buckets.map(() => 0);
          st.sum = 0;
          // Series already exported keep being exported (from 0), as client libraries do.
        }
        const counts = drawInterval(rng, s, st.arm, from, t, cache, 1 / s[st.arm].pods);
        addToPod(st, counts, bucketMeans(behaviourAt(s[st.arm], t).latency, s.buckets));
      }
      if (t === st.bornAt) continue; // a pod's first scrape comes one interval after its birth
      emit(st, opts.start + t, all);
    }
  }
  return {
    scenario: s,
    start: opts.start,
    firstScrape: opts.start + kFirst * step,
    lastScrape: opts.start + kLast * step,
    series: all,
    pods: names,
  };
}

function addToPod(st: PodState, c: IntervalCounts, means: readonly number[]): void {
  const ok = c.total - c.bad - c.clientErrors;
  st.codes["200"] += ok;
  st.codes["404"] += c.clientErrors;
  st.codes["500"] += c.bad;
  if (ok > 0) st.created["200"] = true;
  if (c.clientErrors > 0) st.created["404"] = true;
  if (c.bad > 0) st.created["500"] = true;
  let cum = 0;
  for (let i = 0; i < st.buckets.length; i++) {
    cum += c.buckets[i] ?? 0;
    st.buckets[i] = (st.buckets[i] ?? 0) + cum;
    st.sum += (c.buckets[i] ?? 0) * (means[i] ?? 0);
  }
}

function emit(st: PodState, t: number, all: SimSeries[]): void {
  const push = (metric: string, extra: Record<string, string>, v: number): void => {
    const key = `${metric}${JSON.stringify(extra)}`;
    let ser = st.series.get(key);
    if (!ser) {
      ser = { metric, labels: { ...st.labels, ...extra }, arm: st.arm, samples: [] };
      st.series.set(key, ser);
      all.push(ser);
    }
    ser.samples.push({ t, v });
  };
  for (const code of ["200", "404", "500"] as const) {
    if (st.created[code]) push("http_requests_total", { code }, st.codes[code]);
  }
  st.buckets.forEach((v, i) => push("http_request_duration_seconds_bucket", { le: st.le[i] ?? "" }, v));
  push("http_request_duration_seconds_count", {}, st.buckets[st.buckets.length - 1] ?? 0);
  push("http_request_duration_seconds_sum", {}, st.sum);
}

/**
 * Increment of one series over (from, to] under Prometheus' counter rule; base is the last
 * sample at or before `from`, or 0 when the series has none (born later).
 */
export function counterIncrease(samples: readonly SimSample[], from: number, to: number): number {
  let prev = 0;
  let inc = 0;
  for (const smp of samples) {
    if (smp.t <= from) {
      prev = smp.v;
      continue;
    }
    if (smp.t > to) break;
    inc += smp.v >= prev ? smp.v - prev : smp.v;
    prev = smp.v;
  }
  return inc;
}

/**
 * The exact counts of `arm` over (from, to] (unix seconds) as the samples show them; `null`
 * when the arm has no series at all. Buckets are de-cumulated over the scenario's bounds
 * (`le` spellings `1` and `1.0` are the same bucket).
 */
export function scrapeTruth(sim: SimScrapes, arm: SimArm, from: number, to: number): IntervalCounts | null {
  const mine = sim.series.filter((x) => x.arm === arm);
  if (mine.length === 0) return null;
  const bounds = sim.scenario.buckets;
  const out = emptyCounts(bounds.length);
  const cum = new Array<number>(bounds.length).fill(0);
  for (const ser of mine) {
    const inc = counterIncrease(ser.samples, from, to);
    if (ser.metric === "http_requests_total") {
      out.total += inc;
      if (ser.labels.code?.startsWith("5")) out.bad += inc;
      if (ser.labels.code?.startsWith("4")) out.clientErrors += inc;
    } else if (ser.metric === "http_request_duration_seconds_bucket") {
      const le = ser.labels.le === "+Inf" ? Infinity : Number(ser.labels.le);
      const i = bounds.indexOf(le);
      if (i >= 0) cum[i] = (cum[i] ?? 0) + inc;
    }
  }
  let prev = 0;
  cum.forEach((c, i) => {
    out.buckets[i] = c - prev;
    prev = c;
  });
  return out;
}
