/**
 * @module prometheus/matrix-decoder
 * Decodes large matrix answers off the event loop: bodies of at least `minBytes` (default
 * 1 MiB) are copied to one worker thread running `scanMatrix` (the same one-pass decoder,
 * so the same numbers); the event loop only makes views into the packed result. `undefined`
 * (the body is not in the layout the fast path reads, or the worker died) leaves the body to
 * the caller's general decoder. The worker is started on first use, does not keep the process
 * alive while idle, and is started again after it died.
 */
import { Worker } from "node:worker_threads";
import type { SampleSeries } from "./matrix-scan.ts";

interface Reply {
  readonly id: number;
  readonly labels?: Record<string, string>[];
  readonly lengths?: number[];
  readonly times?: Float64Array;
  readonly values?: Float64Array;
}

/** Bodies at least this large are decoded in the worker. */
export const DEFAULT_OFF_LOOP_BYTES = 1024 * 1024;

/** One worker thread decoding matrix answers, jobs answered in order. */
export class MatrixDecoder {
  readonly minBytes: number;
  #worker: Worker | undefined;
  #next = 1;
  #decoded = 0;
  readonly #pending = new Map<number, (d: SampleSeries[] | undefined) => void>();

  constructor(minBytes = DEFAULT_OFF_LOOP_BYTES) {
    this.minBytes = minBytes;
  }

  /** Answers decoded in the worker so far. */
  get decoded(): number {
    return this.#decoded;
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const w = new Worker(new URL("./matrix-scan-worker.ts", import.meta.url));
    w.unref();
    w.on("message", (r: Reply) => {
      const done = this.#pending.get(r.id);
      if (done === undefined) return;
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) w.unref();
      if (r.labels === undefined) return done(undefined);
      const times = r.times ?? new Float64Array(0);
      const values = r.values ?? new Float64Array(0);
      let at = 0;
      const series = r.labels.map((labels, i): SampleSeries => {
        const n = r.lengths?.[i] ?? 0;
        const s = { labels, times: times.subarray(at, at + n), values: values.subarray(at, at + n) };
        at += n;
        return s;
      });
      this.#decoded++;
      done(series);
    });
    const gone = (): void => {
      if (this.#worker === w) this.#worker = undefined;
      for (const done of this.#pending.values()) done(undefined);
      this.#pending.clear();
    };
    w.on("error", gone);
    w.on("exit", gone);
    this.#worker = w;
    return w;
  }

  /** Decodes a copy of `body` in the worker; `undefined`: decode it the general way. */
  decode(body: Uint8Array): Promise<SampleSeries[] | undefined> {
    const w = this.#start();
    w.ref();
    const id = this.#next++;
    const copy = new Uint8Array(body);
    return new Promise<SampleSeries[] | undefined>((resolve) => {
      this.#pending.set(id, resolve);
      w.postMessage({ id, body: copy }, [copy.buffer]);
    });
  }

  /** Stops the worker (pending decodes give `undefined`). */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (w !== undefined) await w.terminate();
  }
}
