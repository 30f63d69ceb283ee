import { describe, expect, it } from "vitest";
import { formatProblem } from "../slo/problem.ts";
import { readServiceConfig } from "./read-service-config.ts";

const lines = (yaml: string, env: Record<string, string> = {}): string[] =>
  readServiceConfig(yaml, env, { file: "slogate.yaml" }).problems.map(formatProblem);

describe("prometheus.auth and prometheus.tls", () => {
  it("reads a token file, basic auth with a password file, and mTLS files", () => {
    const r = readServiceConfig(
      [
        "prometheus:",
        "  url: https://prom:9090",
        "  headers: { X-Scope-OrgID: t1 }",
        "  auth: { basic: { username: slogate, passwordFile: /etc/slogate/prom/password } }",
        "  tls: { caFile: ca.crt, certFile: tls.crt, keyFile: tls.key, serverName: prom.monitoring }",
      ].join("\n"),
      {},
    );
    expect(r.problems).toEqual([]);
    expect(r.config?.prometheus).toMatchObject({
      headers: { "X-Scope-OrgID": "t1" },
      auth: { basic: { username: "slogate", passwordFile: "/etc/slogate/prom/password" } },
      tls: {
        caFile: "ca.crt",
        certFile: "tls.crt",
        keyFile: "tls.key",
        serverName: "prom.monitoring",
        insecureSkipVerify: false,
      },
    });
    const env = readServiceConfig("", { SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE: "/var/run/secrets/token" });
    expect(env.config?.prometheus.auth).toEqual({ bearerTokenFile: "/var/run/secrets/token" });
    expect(readServiceConfig("", {}).config?.prometheus).toMatchObject({
      auth: {},
      tls: { insecureSkipVerify: false },
    });
  });

  it("locates every mistake at its file:line:col and never echoes a password", () => {
    const yaml = [
      "prometheus:",
      "  url: http://prom:9090",
      "  headers: { Authorization: Bearer x }",
      "  auth:",
      "    bearerTokenFile: /t",
      "    basic: { username: 'a:b', password: hunter2-secret, passwordFile: /p }",
      "    token: x",
      "  tls:",
      "    certFile: c.pem",
      "    caFile: ca.pem",
      "    insecureSkipVerify: true",
    ].join("\n");
    const out = lines(yaml);
    expect(out).toEqual([
      "slogate.yaml:3:14: error: an Authorization header and auth credentials would both set Authorization (prometheus.headers.Authorization) hint: remove the header, or the auth block",
      "slogate.yaml:5:5: error: set one of auth.bearerTokenFile and auth.basic, not both (prometheus.auth) hint: a backend takes one kind of credentials",
      "slogate.yaml:6:12: error: basic auth needs exactly one of password and passwordFile (prometheus.auth.basic) hint: set passwordFile to a mounted Secret's file (re-read when it changes), or password",
      "slogate.yaml:6:24: error: a basic-auth username cannot contain ':' (prometheus.auth.basic.username) hint: use the user name alone",
      'slogate.yaml:7:5: error: unknown field "token" in auth (prometheus.auth.token) hint: allowed fields: bearerTokenFile, basic',
      "slogate.yaml:9:5: error: tls settings apply to an https URL, and the URL is http (prometheus.tls) hint: use https:// in the URL, or remove the tls block",
      "slogate.yaml:9:15: error: a client certificate needs both certFile and keyFile (prometheus.tls.certFile) hint: set certFile (PEM certificate) and keyFile (its PEM private key) together",
      "slogate.yaml:11:25: error: insecureSkipVerify ignores caFile (prometheus.tls.insecureSkipVerify) hint: keep caFile and remove insecureSkipVerify (verification is what caFile is for)",
    ]);
    expect(out.join("\n")).not.toContain("hunter2-secret");
  });
});
