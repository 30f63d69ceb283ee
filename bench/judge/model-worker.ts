/**
 * @module bench/judge/model-worker
 * Runs `runModels` for a subset of the models in a worker thread (`BENCH_WORKERS` > 1 in
 * bench/judge.ts): the models are independent, so their runs split across threads and the
 * results merge exactly (`mergeModelResults`). Posts `{ log }` messages and one `{ result }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runModels } from "./model-runs.ts";

const opts = workerData as Omit<Parameters<typeof runModels>[0], "log">;
const result = runModels({ ...opts, log: (m) => parentPort?.postMessage({ log: m }) });
parentPort?.postMessage({ result });
