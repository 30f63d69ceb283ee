/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies of HTTP responses and YAML manifests are untyped by nature */
/**
 * The manifests shipped in deploy/ validate against the Argo Rollouts and Flagger CRD
 * schemas in ../shared/crds (the CRDs' openAPIV3Schema, with ajv), and the config and SLO
 * files they embed load with slogate's own parsers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { parseServiceConfig } from "../../src/config/read-service-config.ts";
import { loadSloFiles } from "../../src/catalog/load-slos.ts";

const root = join(import.meta.dirname, "..", "..");
const crds = join(root, "..", "shared", "crds");

function docs(path: string): Record<string, any>[] {
  return parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as Record<string, any>);
}

function crdSchema(file: string, version: string): object {
  const crd = docs(join(crds, file))[0]!;
  const v = (crd.spec.versions as any[]).find((x) => x.name === version);
  return v.schema.openAPIV3Schema as object;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const schemas: Record<string, ReturnType<Ajv["compile"]>> = {
  "argoproj.io/v1alpha1/AnalysisTemplate": ajv.compile(
    crdSchema("argo-rollouts-analysistemplate-crd.yaml", "v1alpha1"),
  ),
  "argoproj.io/v1alpha1/Rollout": ajv.compile(crdSchema("argo-rollouts-rollout-crd.yaml", "v1alpha1")),
  "flagger.app/v1beta1/Canary": ajv.compile(crdSchema("flagger-canary-crd.yaml", "v1beta1")),
};

const files = [
  "deploy/argo/analysis-template.yaml",
  "deploy/argo/rollout.yaml",
  "deploy/flagger/canary.yaml",
];

describe("shipped controller manifests", () => {
  it.each(files)("%s validates against its CRD schema", (file) => {
    for (const doc of docs(join(root, file))) {
      const validate = schemas[`${doc.apiVersion}/${doc.kind}`];
      expect(validate, `a schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      const ok = validate!(doc);
      expect(validate!.errors ?? [], file).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("the schemas reject a manifest with a wrong field type, so the check can fail", () => {
    const canary = docs(join(root, "deploy/flagger/canary.yaml"))[0]!;
    canary.spec.analysis.webhooks[0].type = "not-a-webhook-type";
    expect(schemas["flagger.app/v1beta1/Canary"]!(canary)).toBe(false);
    const template = docs(join(root, "deploy/argo/analysis-template.yaml"))[0]!;
    template.spec.metrics[0].provider.web.headers = "Authorization";
    expect(schemas["argoproj.io/v1alpha1/AnalysisTemplate"]!(template)).toBe(false);
  });

  it("the AnalysisTemplate's jsonBody count matches its metric count and conditions read result.verdict", () => {
    const t = docs(join(root, "deploy/argo/analysis-template.yaml"))[0]!;
    const m = t.spec.metrics[0];
    expect(m.provider.web.jsonBody.count).toBe(m.count);
    expect(m.successCondition).toBe('result.verdict == "pass"');
    expect(m.failureCondition).toBe('result.verdict == "fail"');
  });

  it("every Flagger webhook URL ends with its own type", () => {
    const c = docs(join(root, "deploy/flagger/canary.yaml"))[0]!;
    for (const w of c.spec.analysis.webhooks) expect(w.url).toMatch(new RegExp(`/api/v1/flagger/${w.type}$`));
  });
});

describe("the Kubernetes deployment", () => {
  const all = docs(join(root, "deploy/kubernetes/slogate.yaml"));
  const byKind = (kind: string, name: string) =>
    all.find((d) => d.kind === kind && d.metadata.name === name)!;

  it("embeds a config that slogate accepts", () => {
    const text = byKind("ConfigMap", "slogate-config").data["slogate.yaml"] as string;
    const config = parseServiceConfig(text, { SLOGATE_TOKENS: "x".repeat(24) });
    expect(config.store.dataDir).toBe("/var/lib/slogate");
    const mounts = byKind("Deployment", "slogate").spec.template.spec.containers[0].volumeMounts as any[];
    expect(mounts.map((m) => m.mountPath)).toContain(config.store.dataDir);
    expect(mounts.map((m) => m.mountPath)).toContain(config.slos[0]);
  });

  it("embeds SLO files that load without errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-deploy-slos-"));
    for (const [name, text] of Object.entries(
      byKind("ConfigMap", "slogate-slos").data as Record<string, string>,
    )) {
      writeFileSync(join(dir, name), text);
    }
    const loaded = await loadSloFiles([dir]);
    expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(loaded.slos.map((s) => s.id)).toContain("checkout-latency");
  });

  it("probes /readyz and /healthz on the service port", () => {
    const c = byKind("Deployment", "slogate").spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
  });
});

describe("the replicated Kubernetes deployment (PostgreSQL)", () => {
  const all = docs(join(root, "deploy/kubernetes/replicated/slogate.yaml"));
  const byKind = (kind: string, name: string) =>
    all.find((d) => d.kind === kind && d.metadata.name === name)!;
  const deployment = byKind("Deployment", "slogate");
  const pod = deployment.spec.template;

  it("runs three replicas on a postgres store whose URL file comes from the mounted Secret", () => {
    const text = byKind("ConfigMap", "slogate-config").data["slogate.yaml"] as string;
    const config = parseServiceConfig(text, { SLOGATE_TOKENS: "x".repeat(24) });
    expect(config.store).toMatchObject({ kind: "postgres", urlFile: "/etc/slogate/db/url" });
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.type).toBe("RollingUpdate");
    const mount = (pod.spec.containers[0].volumeMounts as any[]).find(
      (m) => m.mountPath === "/etc/slogate/db",
    );
    const volume = (pod.spec.volumes as any[]).find((v) => v.name === mount.name);
    expect(volume.secret.secretName).toBe("slogate-db");
    expect(byKind("Secret", "slogate-db").stringData.url).toMatch(/^postgres:\/\//);
    expect(all.some((d) => d.kind === "PersistentVolumeClaim")).toBe(false);
  });

  it("has a PodDisruptionBudget over the replicas' pods and readiness on /readyz", () => {
    const pdb = byKind("PodDisruptionBudget", "slogate");
    expect(pdb.apiVersion).toBe("policy/v1");
    expect(pdb.spec.maxUnavailable).toBe(1);
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels as Record<string, string>)) {
      expect(pod.metadata.labels[k]).toBe(v);
    }
    expect(pod.spec.containers[0].readinessProbe.httpGet.path).toBe("/readyz");
  });

  it("keeps the default deployment a single SQLite replica", () => {
    const single = docs(join(root, "deploy/kubernetes/slogate.yaml"));
    const d = single.find((x) => x.kind === "Deployment")!;
    expect(d.spec.replicas).toBe(1);
    const text = single.find((x) => x.kind === "ConfigMap" && x.metadata.name === "slogate-config")!.data[
      "slogate.yaml"
    ] as string;
    expect(parseServiceConfig(text, {}).store.kind).toBe("sqlite");
  });
});
