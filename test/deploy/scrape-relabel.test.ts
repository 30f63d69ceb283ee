/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- YAML and JSON are untyped by nature */
/**
 * The relabelling in deploy/prometheus/prometheus.yml, run by a real Prometheus: the shipped
 * `relabel_configs` as written, on targets that carry the `__meta_kubernetes_*` labels
 * Kubernetes discovery would give an Argo canary pod, a Flagger primary pod and an unrelated
 * pod (Debian's Prometheus is built without Kubernetes discovery, so static targets stand in
 * for it), scraping a local exporter. The series must carry what the shipped SLO files select
 * on: `service`, `rollouts_pod_template_hash` (Argo) and `pod` (Flagger).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { freePort } from "../../src/testbed/free-port.ts";

const shipped = parse(
  readFileSync(join(import.meta.dirname, "..", "..", "deploy", "prometheus", "prometheus.yml"), "utf8"),
) as { scrape_configs: any[] };

const pod = (labels: Record<string, string>) => ({
  __meta_kubernetes_namespace: "shop",
  __meta_kubernetes_pod_container_port_name: "http",
  ...labels,
});

let dir = "";
let exporter: Server;
let prometheus: ChildProcess | undefined;
let url = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "slogate-relabel-"));
  exporter = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end('# TYPE http_requests_total counter\nhttp_requests_total{code="200"} 7\n');
  });
  await new Promise<void>((resolve) => exporter.listen(0, "127.0.0.1", resolve));
  const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
  const job = structuredClone(shipped.scrape_configs.find((j) => j.job_name === "shop-apps"));
  delete job.kubernetes_sd_configs;
  job.scrape_interval = "1s";
  job.static_configs = [
    {
      targets: [target],
      labels: pod({
        __meta_kubernetes_pod_name: "checkout-7c9d5f6b8-x2k4p",
        __meta_kubernetes_pod_label_app: "checkout",
        __meta_kubernetes_pod_label_rollouts_pod_template_hash: "7c9d5f6b8",
      }),
    },
    {
      targets: [target],
      labels: pod({
        __meta_kubernetes_pod_name: "payments-primary-6d4f8b9c7-q8m2z",
        __meta_kubernetes_pod_label_app: "payments",
      }),
    },
    {
      targets: [target],
      labels: pod({ __meta_kubernetes_pod_name: "other-1", __meta_kubernetes_pod_label_app: "other" }),
    },
  ];
  writeFileSync(
    join(dir, "prometheus.yml"),
    stringify({ global: { scrape_interval: "1s" }, scrape_configs: [job] }),
  );
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    process.env.PROMETHEUS_BIN ?? "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: "ignore" },
  );
}, 60_000);

afterAll(async () => {
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once("exit", r));
    prometheus.kill("SIGTERM");
    await exited;
  }
  await new Promise<void>((resolve) => (exporter ? exporter.close(() => resolve()) : resolve()));
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

async function query(q: string): Promise<Record<string, string>[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as any;
  return (body.data?.result ?? []).map((x: any) => x.metric as Record<string, string>);
}

/** The series once every kept target was scraped, two more scrape intervals later. */
async function series(): Promise<Record<string, string>[]> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await query("http_requests_total")).length >= 2) {
        await new Promise((r) => setTimeout(r, 2500));
        return await query("http_requests_total");
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("Prometheus scraped nothing in 30 s");
}

describe("the shipped Prometheus relabelling", () => {
  it("labels the Argo canary with its pod-template hash, the Flagger primary with its pod, both with service, and drops other apps", async () => {
    const got = (await series()).map(({ instance: _i, ...rest }) => rest);
    expect(got.sort((a, b) => (a.pod! < b.pod! ? -1 : 1))).toEqual([
      {
        __name__: "http_requests_total",
        code: "200",
        job: "shop-apps",
        namespace: "shop",
        pod: "checkout-7c9d5f6b8-x2k4p",
        rollouts_pod_template_hash: "7c9d5f6b8",
        service: "checkout",
      },
      {
        __name__: "http_requests_total",
        code: "200",
        job: "shop-apps",
        namespace: "shop",
        pod: "payments-primary-6d4f8b9c7-q8m2z",
        service: "payments",
      },
    ]);
  });
});
