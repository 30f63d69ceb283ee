/**
 * Backend authentication for real: a Prometheus started with `--web.config.file` that demands
 * TLS with a client certificate (a CA, server and client certificates made with `openssl` here)
 * and basic auth (a bcrypt hash), reached by slogate's client and by the whole service from its
 * config; a bearer token file rotated between requests, seen by an HTTP sink that records the
 * `Authorization` header. Negative controls: no client certificate, another CA, a wrong password —
 * each refused, none retried into a pass, and no secret in any error or log line.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSlogateError, type SlogateError } from "../../src/errors.ts";
import { HttpPrometheusClient, type PrometheusClientOptions } from "../../src/prometheus/http-client.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import { startHttpSink, type HttpSink } from "../../src/testbed/http-sink.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { memoryLogger, startHarnessService } from "../../src/testbed/service-harness.ts";
import { requireTool } from "../../src/testbed/tools.ts";

const START = 1_700_000_000;
const USER = "slogate";
const PASSWORD = "correct-horse-battery-staple-17";
/** bcrypt (cost 4) of PASSWORD: python3 -c "import crypt; print(crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))" */
const PASSWORD_BCRYPT = "$2b$04$UuLkgW7egCjaNrUDHqTc9eDufcCYvFclkhdA0i91XeiIDHxMthbai";

let dir: string;
let bed: PrometheusBed;
const f = (name: string): string => join(dir, name);

function openssl(args: string[]): void {
  const r = spawnSync(requireTool("openssl"), args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr}`);
}

/** A CA, and certificates it signs: `server` for 127.0.0.1, `client` for client auth. */
function makeCertificates(): void {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  for (const ca of ["ca", "other-ca"]) {
    openssl([
      "req",
      "-x509",
      ...ec,
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=slogate test ${ca}`,
    ]);
  }
  writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  writeFileSync(f("client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const who of ["server", "client"]) {
    openssl(["req", ...ec, "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", `/CN=${who}`]);
    openssl([
      "x509",
      "-req",
      "-in",
      `${who}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${who}.crt`,
      "-days",
      "2",
      "-extfile",
      `${who}.ext`,
    ]);
  }
}

/** `/-/ready` over mTLS with basic auth (the server answers nothing without both). */
function readyOverTls(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/-/ready`,
      {
        ca: readFileSync(f("ca.crt")),
        cert: readFileSync(f("client.crt")),
        key: readFileSync(f("client.key")),
        auth: `${USER}:${PASSWORD}`,
        timeout: 1000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "slogate-tls-"));
  makeCertificates();
  writeFileSync(f("password"), `${PASSWORD}\n`);
  bed = await startPrometheus({
    history: simulateScrapes(SCENARIOS.healthy, { seed: 3, start: START }).series,
    https: true,
    webConfig: `tls_server_config:
  cert_file: ${f("server.crt")}
  key_file: ${f("server.key")}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ${f("ca.crt")}
basic_auth_users:
  ${USER}: ${PASSWORD_BCRYPT}
`,
    ready: readyOverTls,
  });
}, 60_000);

afterAll(async () => {
  await bed?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function client(o: Partial<PrometheusClientOptions> = {}): HttpPrometheusClient {
  return new HttpPrometheusClient({
    url: bed.url,
    retries: 2,
    backoffMs: 10,
    tls: { caFile: f("ca.crt"), certFile: f("client.crt"), keyFile: f("client.key") },
    auth: { type: "basicFile", username: USER, passwordFile: f("password") },
    ...o,
  });
}

async function failure(p: Promise<unknown>): Promise<SlogateError> {
  try {
    await p;
  } catch (e) {
    if (isSlogateError(e)) return e;
    throw e;
  }
  throw new Error("expected the query to fail");
}

/** Everything an error shows a caller or a log line: message, hint, details. */
const shown = (e: SlogateError): string => JSON.stringify({ m: e.message, h: e.hint, d: e.details });

describe("a Prometheus that demands TLS with a client certificate and basic auth", () => {
  it("answers slogate's client with the CA, the client certificate and the password file", async () => {
    const r = await client().query("count(http_requests_total)", START + 600);
    expect(r.type).toBe("vector");
    if (r.type === "vector") expect(r.samples[0]?.v).toBeGreaterThan(0);
  });

  it("refuses a client without a certificate, as a TLS failure that is not retried", async () => {
    const attempts: number[] = [];
    const e = await failure(
      client({ tls: { caFile: f("ca.crt") }, onQuery: (o) => void attempts.push(o.attempts) }).query(
        "vector(1)",
      ),
    );
    expect(e.code).toBe("PROMETHEUS_UNAVAILABLE");
    expect(e.message).toMatch(/TLS with Prometheus at https:\/\/127\.0\.0\.1:\d+ failed \(ERR_SSL_/);
    expect(attempts).toEqual([1]);
  });

  it("refuses a server whose certificate another CA signed, naming the TLS failure", async () => {
    const attempts: number[] = [];
    const e = await failure(
      client({
        tls: { caFile: f("other-ca.crt"), certFile: f("client.crt"), keyFile: f("client.key") },
        onQuery: (o) => void attempts.push(o.attempts),
      }).query("vector(1)"),
    );
    expect(e.code).toBe("PROMETHEUS_UNAVAILABLE");
    expect(e.message).toMatch(
      /TLS .* failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    );
    expect(e.hint).toContain("caFile");
    expect(attempts).toEqual([1]);
  });

  it("uses a CA file replaced on disk from the next request on (a renewed bundle)", async () => {
    const ca = f("rotating-ca.crt");
    copyFileSync(f("other-ca.crt"), ca);
    const c = client({ tls: { caFile: ca, certFile: f("client.crt"), keyFile: f("client.key") } });
    expect((await failure(c.query("vector(1)"))).message).toMatch(/TLS .* failed/);
    copyFileSync(f("ca.crt"), ca);
    expect((await c.query("vector(1)")).type).toBe("vector");
  });

  it("with insecureSkipVerify accepts the server without its CA", async () => {
    const r = await client({
      tls: { insecureSkipVerify: true, certFile: f("client.crt"), keyFile: f("client.key") },
    }).query("vector(1)");
    expect(r.type).toBe("vector");
  });

  it("answers a wrong password 401, never echoing the password, and reads a rotated password file at the next request", async () => {
    const file = f("rotating-password");
    writeFileSync(file, "not-the-password-xyz\n");
    const c = client({ auth: { type: "basicFile", username: USER, passwordFile: file } });
    const e = await failure(c.query("vector(1)"));
    expect(e.code).toBe("PROMETHEUS_HTTP_ERROR");
    expect(e.details?.backendStatus).toBe(401);
    expect(shown(e)).not.toContain("not-the-password-xyz");
    expect(shown(e)).not.toContain(Buffer.from(`${USER}:not-the-password-xyz`).toString("base64"));
    writeFileSync(file, `${PASSWORD}\n`);
    expect((await c.query("vector(1)")).type).toBe("vector");
  });

  it("refuses to build a client whose password file is missing, naming the setting and the path only", () => {
    let thrown: unknown;
    try {
      client({ auth: { type: "basicFile", username: USER, passwordFile: f("missing") } });
    } catch (e) {
      thrown = e;
    }
    expect(isSlogateError(thrown) && thrown.code).toBe("CONFIG_INVALID");
    expect((thrown as Error).message).toContain("prometheus.auth.basic.passwordFile");
    expect((thrown as Error).message).toContain(f("missing"));
  });

  it("serves from a config with prometheus.auth and prometheus.tls: ready, and a wrong CA keeps it unready with no secret logged", async () => {
    const yaml = (ca: string): string => `prometheus:
  url: ${bed.url}
  auth:
    basic: { username: ${USER}, passwordFile: ${f("password")} }
  tls:
    caFile: ${ca}
    certFile: ${f("client.crt")}
    keyFile: ${f("client.key")}
`;
    const good = await startHarnessService({
      prometheusUrl: bed.url,
      slosDir: dir,
      configYaml: yaml(f("ca.crt")),
    });
    try {
      const r = await fetch(`${good.url}/readyz`);
      expect(r.status, await r.text()).toBe(200);
    } finally {
      await good.close();
    }
    const logger = memoryLogger();
    const bad = await startHarnessService({
      prometheusUrl: bed.url,
      slosDir: dir,
      configYaml: yaml(f("other-ca.crt")),
      logger,
    });
    try {
      const r = await fetch(`${bad.url}/readyz`);
      const body = await r.text();
      expect(r.status, body).toBe(503);
      expect(body).not.toContain(PASSWORD);
    } finally {
      await bad.close();
    }
    expect(logger.lines.join("\n")).not.toContain(PASSWORD);
  });

  it("warns at start when insecureSkipVerify is set", async () => {
    const logger = memoryLogger();
    const svc = await startHarnessService({
      prometheusUrl: bed.url,
      slosDir: dir,
      logger,
      configYaml: `prometheus:
  url: ${bed.url}
  auth: { basic: { username: ${USER}, password: ${PASSWORD} } }
  tls: { insecureSkipVerify: true, certFile: ${f("client.crt")}, keyFile: ${f("client.key")} }
`,
    });
    try {
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
    } finally {
      await svc.close();
    }
    const warn = logger.lines.find((l) => l.includes("insecureSkipVerify"));
    expect(warn).toContain('"level":"warn"');
    expect(logger.lines.join("\n")).not.toContain(PASSWORD);
  });
});

describe("a bearer token file re-read when it changes", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
    sink.reply(() => ({
      status: 200,
      headers: { "Content-Type": "application/json" },
      body: '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}',
    }));
  });
  afterAll(async () => {
    await sink?.close();
  });

  const seen = (): (string | undefined)[] => sink.requests.map((r) => r.headers.authorization);

  it("sends the file's token, and the rotated token from the next request on", async () => {
    const file = f("token");
    writeFileSync(file, "token-one-aaaaaaaaaaaa\n");
    const c = new HttpPrometheusClient({ url: sink.url, auth: { type: "bearerFile", path: file } });
    await c.query("vector(1)");
    await c.query("vector(1)");
    writeFileSync(file, "token-two-bbbbbbbbbbbb\n");
    await c.query("vector(1)");
    expect(seen().slice(-3)).toEqual([
      "Bearer token-one-aaaaaaaaaaaa",
      "Bearer token-one-aaaaaaaaaaaa",
      "Bearer token-two-bbbbbbbbbbbb",
    ]);
  });

  it("follows a Kubernetes-style rotation (the kubelet swaps the ..data symlink)", async () => {
    const mount = mkdtempSync(join(dir, "sa-"));
    // ..v1-x/token, ..data -> ..v1-x, token -> ..data/token; a rotation writes ..v2-y and
    // renames a new symlink over ..data.
    const a = mkdtempSync(join(mount, "..v1-"));
    writeFileSync(join(a, "token"), "sa-token-first-cccccccc");
    symlinkSync(a, join(mount, "..data"));
    symlinkSync(join(mount, "..data", "token"), join(mount, "token"));
    const c = new HttpPrometheusClient({
      url: sink.url,
      auth: { type: "bearerFile", path: join(mount, "token") },
    });
    await c.query("vector(1)");
    const b = mkdtempSync(join(mount, "..v2-"));
    writeFileSync(join(b, "token"), "sa-token-second-dddddddd");
    symlinkSync(b, join(mount, "..data_tmp"));
    renameSync(join(mount, "..data_tmp"), join(mount, "..data"));
    rmSync(a, { recursive: true, force: true });
    await c.query("vector(1)");
    expect(seen().slice(-2)).toEqual(["Bearer sa-token-first-cccccccc", "Bearer sa-token-second-dddddddd"]);
  });

  it("the service reads the token file named by $SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE, rotations included", async () => {
    const file = f("service-token");
    writeFileSync(file, "svc-token-one-ffffffffff\n");
    const logger = memoryLogger();
    const svc = await startHarnessService({
      prometheusUrl: sink.url,
      slosDir: dir,
      logger,
      extraEnv: { SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE: file },
    });
    try {
      await svc.deps.probePrometheus?.();
      writeFileSync(file, "svc-token-two-gggggggggg\n");
      await svc.deps.probePrometheus?.();
    } finally {
      await svc.close();
    }
    expect(seen().slice(-2)).toEqual(["Bearer svc-token-one-ffffffffff", "Bearer svc-token-two-gggggggggg"]);
    expect(logger.lines.join("\n")).not.toContain("svc-token");
  });

  it("keeps the last token while the file is briefly missing or empty, and refuses to start without one", async () => {
    const file = f("token-gap");
    writeFileSync(file, "token-kept-eeeeeeeeeeee");
    const c = new HttpPrometheusClient({ url: sink.url, auth: { type: "bearerFile", path: file } });
    rmSync(file);
    await c.query("vector(1)");
    writeFileSync(file, "");
    await c.query("vector(1)");
    expect(seen().slice(-2)).toEqual(["Bearer token-kept-eeeeeeeeeeee", "Bearer token-kept-eeeeeeeeeeee"]);
    expect(
      () => new HttpPrometheusClient({ url: sink.url, auth: { type: "bearerFile", path: file } }),
    ).toThrow(/prometheus\.auth\.bearerTokenFile .* is empty/);
  });
});
