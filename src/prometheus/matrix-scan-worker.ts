/**
 * @module prometheus/matrix-scan-worker
 * The worker thread of `matrix-decoder`: decodes matrix answers with `scanMatrix` off the
 * event loop. Gets `{ id, body }`; answers `{ id, labels, lengths, times, values }` (all
 * series' samples in two packed arrays, transferred) or `{ id }` alone when the body is not in
 * the layout the fast path reads.
 */
import { parentPort } from "node:worker_threads";
import { scanMatrix } from "./matrix-scan.ts";

interface Job {
  readonly id: number;
  readonly body: Uint8Array;
}

parentPort?.on("message", (job: Job) => {
  const series = scanMatrix(job.body);
  if (series === undefined) {
    parentPort?.postMessage({ id: job.id });
    return;
  }
  let n = 0;
  for (const s of series) n += s.times.length;
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  const lengths = new Array<number>(series.length);
  let at = 0;
  series.forEach((s, i) => {
    times.set(s.times, at);
    values.set(s.values, at);
    at += s.times.length;
    lengths[i] = s.times.length;
  });
  parentPort?.postMessage({ id: job.id, labels: series.map((s) => s.labels), lengths, times, values }, [
    times.buffer,
    values.buffer,
  ]);
});
