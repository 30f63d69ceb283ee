import { describe, expect, it } from "vitest";
import { parseServiceConfig } from "../config/read-service-config.ts";
import type { DataSourceRef } from "../slo/model.ts";
import { buildSlo } from "../generate/testdata/hand-built-slos.ts";
import { armReaders } from "./arm-readers.ts";
import {
  BackendProblem,
  BackendRouter,
  backendNote,
  backendSpecOf,
  type BackendSpec,
} from "./backend-router.ts";

const SERVICE = "http://prometheus:9090";

function config(yaml = "") {
  return parseServiceConfig(
    `prometheus:\n  url: ${SERVICE}\n  headers: {X-Service: s1}\n  auth: {bearerTokenFile: /var/run/token}\n${yaml}`,
    {},
  );
}

const ds = (o: Partial<DataSourceRef> = {}): DataSourceRef => ({
  name: "thanos",
  type: "Prometheus",
  headers: {},
  ...o,
});

function spec(d: DataSourceRef | undefined, yaml = ""): BackendSpec {
  const s = backendSpecOf(d, config(yaml));
  if (s instanceof BackendProblem) throw new Error(s.message);
  return s;
}

describe("which backend a DataSource is read from", () => {
  it.each([
    ["no DataSource", undefined],
    ["a DataSource at prometheus.url", ds({ url: `${SERVICE}/` })],
    ["a DataSource without a URL or headers", ds()],
    ["a DataSource at prometheus.url through backends.<name>.url alone", ds({ url: "http://elsewhere" })],
  ])("%s is the service's own backend", (_what, d) => {
    const yaml = d?.url === "http://elsewhere" ? `backends:\n  thanos:\n    url: ${SERVICE}\n` : "";
    expect(spec(d, yaml).key).toBe("service");
  });

  it("a DataSource at another URL gets only its own headers: no service headers, auth or TLS", () => {
    const s = spec(ds({ url: "https://thanos:10902", headers: { "X-Scope-OrgID": "t1" } }));
    expect(s).toMatchObject({
      url: "https://thanos:10902",
      headers: { "X-Scope-OrgID": "t1" },
      auth: {},
      tls: { insecureSkipVerify: false },
      credentials: "none",
    });
  });

  it("a DataSource at prometheus.url with headers keeps the service's credentials, its headers added", () => {
    const s = spec(ds({ url: SERVICE, headers: { "X-Scope-OrgID": "t1", "x-service": "from-ds" } }));
    expect(s.key).not.toBe("service");
    expect(s.auth).toEqual({ bearerTokenFile: "/var/run/token" });
    // The operator's header wins over the DataSource's of the same name.
    expect(s.headers).toEqual({ "X-Scope-OrgID": "t1", "X-Service": "s1" });
    expect(s.credentials).toBe("prometheus");
  });

  it("backends.<name> sets the URL, headers, credentials, TLS, timeout and queue of its DataSource", () => {
    const s = spec(
      ds({ url: "http://public.example", headers: { "X-Scope-OrgID": "t1" } }),
      "backends:\n  thanos:\n    url: https://thanos.internal:10902\n    headers: {X-Scope-OrgID: t2}\n    auth: {basic: {username: u, passwordFile: /p}}\n    tls: {caFile: /ca.pem}\n    timeout: 3s\n    maxConcurrentReads: 2\n",
    );
    expect(s).toMatchObject({
      url: "https://thanos.internal:10902",
      headers: { "X-Scope-OrgID": "t2" },
      auth: { basic: { username: "u", passwordFile: "/p" } },
      tls: { caFile: "/ca.pem", insecureSkipVerify: false },
      timeoutSeconds: 3,
      maxConcurrentReads: 2,
      credentials: "backends.thanos",
    });
  });

  it("tells backends apart by header values without holding them", () => {
    const one = spec(ds({ url: "http://t", headers: { "X-Scope-OrgID": "secret-one" } }));
    const two = spec(ds({ url: "http://t", headers: { "X-Scope-OrgID": "secret-two" } }));
    expect(one.key).not.toBe(two.key);
    expect(one.key).not.toContain("secret-one");
    const note = backendNote(ds({ name: "thanos" }), one);
    expect(note).toBe(
      'DataSource "thanos": read from http://t (its own client and read queue; headers X-Scope-OrgID; no credentials)',
    );
    expect(note).not.toContain("secret-one");
  });

  it.each([
    [
      "TLS settings for an http URL",
      ds({ url: "http://thanos" }),
      "backends:\n  thanos:\n    tls: {caFile: /ca.pem}\n",
      'backends.thanos.tls is set but DataSource "thanos" is read from http://thanos, not an https URL',
    ],
    [
      "an Authorization header next to configured credentials",
      ds({ url: SERVICE, headers: { authorization: "Bearer x" } }),
      "",
      'DataSource "thanos" sends an Authorization header and prometheus.auth sets credentials: both would set Authorization',
    ],
    [
      "a header value with a line break",
      ds({ url: "http://thanos", headers: { "X-A": "a\r\nX-B: b" } }),
      "",
      'DataSource "thanos" has header "X-A" that cannot be sent (an invalid name, or a line break or NUL in its value)',
    ],
  ])("refuses %s", (_what, d, yaml, message) => {
    const s = backendSpecOf(d, config(yaml));
    expect(s).toBeInstanceOf(BackendProblem);
    expect((s as BackendProblem).message).toBe(message);
  });
});

describe("BackendRouter", () => {
  const quiet = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const slo = (d: DataSourceRef) => buildSlo("web", "errors", { dataSource: d });

  it("refuses, naming the DataSource and the setting, a backend whose credential file cannot be read", () => {
    const router = new BackendRouter({
      config: parseServiceConfig(
        `prometheus: {url: ${SERVICE}}\nbackends:\n  thanos: {auth: {bearerTokenFile: /nonexistent/token}}\n`,
        {},
      ),
      createArmReaders: armReaders,
      logger: quiet,
    });
    try {
      expect(() => router.resolve(slo(ds({ url: "http://thanos:10902" })))).toThrow(
        'SLO web-errors: DataSource "thanos": cannot read backends.thanos.auth.bearerTokenFile /nonexistent/token: ENOENT',
      );
    } finally {
      router.close();
    }
  });

  it("shares one backend between SLOs of the same DataSource, and drops it when no SLO uses it", () => {
    const router = new BackendRouter({
      config: parseServiceConfig(`prometheus: {url: ${SERVICE}}\n`, {}),
      createArmReaders: armReaders,
      logger: quiet,
    });
    try {
      const d = ds({ url: "http://thanos:10902" });
      const one = router.backendOf(slo(d));
      expect(router.backendOf(buildSlo("api", "errors", { dataSource: d }))).toBe(one);
      expect(one.service).toBe(false);
      expect(router.backendOf(buildSlo("plain", "errors"))).toBe(router.service);
      router.retain([buildSlo("plain", "errors")]);
      expect(router.backendOf(slo(d))).not.toBe(one);
    } finally {
      router.close();
    }
  });
});
