/**
 * @module bench/stall-monitor
 * Finds the event-loop stalls of a benchmark phase and says what they were made of. A 5 ms
 * timer notes every gap between its ticks longer than `thresholdMs`; for each such stall it
 * records how much CPU the main thread used meanwhile (`process.threadCpuUsage`: a stall with
 * little CPU was the OS running other processes — or the thread blocked in a system call —
 * not our JavaScript) and how long the garbage collector paused the main thread inside it
 * (`PerformanceObserver` "gc" entries). Used by
 * `bench/scale.ts` next to `monitorEventLoopDelay`, which gives max and p99 but not causes.
 */
import { PerformanceObserver, performance } from "node:perf_hooks";

/** One stall: when (ms since the monitor started), how long, the CPU and GC inside it. */
export interface Stall {
  readonly atMs: number;
  readonly ms: number;
  /** Main-thread CPU (user + system) during the stall, ms. */
  readonly cpuMs: number;
  /** Main-thread GC pauses overlapping the stall, ms, and the largest one's kind. */
  readonly gcMs: number;
  readonly gcKind?: string;
  /** The synchronous span (`span()`, e.g. a store call) that overlapped the stall most, if any. */
  readonly during?: string;
}

/** Summary of the stalls of one phase. */
export interface StallSummary {
  readonly count: number;
  readonly maxMs: number;
  /** Stalls during which the main thread was on CPU less than half the time. */
  readonly offCpu: number;
  /** Stalls more than half of which was GC. */
  readonly gc: number;
  /** The longest stall during which the main thread was on CPU at least half the time. */
  readonly maxOnCpuMs: number;
  /** Stalls that overlapped a marked synchronous span, per span label. */
  readonly during: Readonly<Record<string, number>>;
  /** The longest stalls (at most 5), longest first. */
  readonly worst: readonly Stall[];
}

const GC_KINDS: Record<number, string> = { 1: "scavenge", 2: "mark-compact", 4: "incremental", 8: "weak" };

/** A running stall monitor; `take()` returns and clears the stalls seen since the last take. */
export class StallMonitor {
  readonly #threshold: number;
  readonly #began = performance.now();
  #stalls: Stall[] = [];
  #gcs: { start: number; end: number; kind: string }[] = [];
  #spans: { start: number; end: number; label: string }[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #observer: PerformanceObserver;

  constructor(thresholdMs = 50) {
    this.#threshold = thresholdMs;
    this.#observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = ((e as { detail?: unknown }).detail as { kind?: number } | null)?.kind ?? 0;
        this.#gcs.push({ start: e.startTime, end: e.startTime + e.duration, kind: GC_KINDS[kind] ?? "gc" });
      }
      if (this.#gcs.length > 10_000) this.#gcs.splice(0, this.#gcs.length - 10_000);
    });
    this.#observer.observe({ entryTypes: ["gc"] });
    let last = performance.now();
    let cpu = process.threadCpuUsage();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const gap = now - last - 5;
      const c = process.threadCpuUsage();
      if (gap > this.#threshold) {
        const from = last;
        this.#stalls.push({
          atMs: Math.round(from - this.#began),
          ms: Math.round(gap),
          cpuMs: Math.round((c.user - cpu.user + c.system - cpu.system) / 1000),
          ...this.#gcIn(from, now),
        });
      }
      last = now;
      cpu = c;
    }, 5);
    this.#timer.unref();
  }

  #gcIn(from: number, to: number): { gcMs: number; gcKind?: string } {
    let ms = 0;
    let big = 0;
    let kind: string | undefined;
    for (const g of this.#gcs) {
      const d = Math.min(to, g.end) - Math.max(from, g.start);
      if (d <= 0) continue;
      ms += d;
      if (d > big) {
        big = d;
        kind = g.kind;
      }
    }
    return { gcMs: Math.round(ms), ...(kind === undefined ? {} : { gcKind: kind }) };
  }

  /**
   * Notes a synchronous span of the main thread (`performance.now()` times) longer than 10 ms,
   * so a stall inside it is told as made there (a blocking call such as a SQLite write).
   */
  span(label: string, start: number, end: number): void {
    if (end - start < 10) return;
    this.#spans.push({ start, end, label });
    if (this.#spans.length > 10_000) this.#spans.splice(0, this.#spans.length - 10_000);
  }

  #spanIn(from: number, to: number): { during?: string } {
    let big = 0;
    let label: string | undefined;
    for (const x of this.#spans) {
      const d = Math.min(to, x.end) - Math.max(from, x.start);
      if (d > big) {
        big = d;
        label = x.label;
      }
    }
    return label === undefined ? {} : { during: label };
  }

  /** The stalls since the last `take` (GC entries arrive a little late: call after a tick). */
  take(): StallSummary {
    const s = this.#stalls;
    this.#stalls = [];
    // Re-attribute GC now that late entries have arrived.
    const all = s.map((x) => {
      const from = x.atMs + this.#began;
      return { ...x, ...this.#gcIn(from, from + x.ms + 5), ...this.#spanIn(from, from + x.ms + 5) };
    });
    const during: Record<string, number> = {};
    for (const x of all) if (x.during !== undefined) during[x.during] = (during[x.during] ?? 0) + 1;
    this.#spans = [];
    this.#gcs = this.#gcs.filter((g) => g.end > performance.now() - 60_000);
    return {
      count: all.length,
      maxMs: all.reduce((m, x) => Math.max(m, x.ms), 0),
      offCpu: all.filter((x) => x.cpuMs < x.ms / 2).length,
      maxOnCpuMs: all.filter((x) => x.cpuMs >= x.ms / 2).reduce((m, x) => Math.max(m, x.ms), 0),
      gc: all.filter((x) => x.gcMs > x.ms / 2).length,
      during,
      worst: [...all].sort((a, b) => b.ms - a.ms).slice(0, 5),
    };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#observer.disconnect();
  }
}
