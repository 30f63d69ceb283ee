/**
 * @module config/read-backend-auth
 * Reads a backend's `auth:` and `tls:` blocks (under `prometheus:`): which credentials and
 * which certificates, never their contents — files are read by the HTTP client, and a
 * password is never echoed in a problem. Every problem is located at its YAML path. Pure.
 */
import { describe as describeValue } from "../slo/field-reader.ts";
import type { YamlPath } from "../slo/problem.ts";
import type { ConfigReader } from "./config-reader.ts";
import type { BackendAuthConfig, BackendTlsConfig } from "./service-config.ts";

const AUTH_KEYS = ["bearerTokenFile", "basic"] as const;
const BASIC_KEYS = ["username", "password", "passwordFile"] as const;
const TLS_KEYS = ["caFile", "certFile", "keyFile", "serverName", "insecureSkipVerify"] as const;

/** A non-empty text setting that is never echoed (a password). */
function secretText(r: ConfigReader, path: YamlPath): string | undefined {
  const v = r.fields.get(path);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" && v !== "") return v;
  r.report(
    path,
    typeof v === "string" ? "the password is empty" : `expected a string, got ${typeof v}`,
    "quote the password, or use passwordFile (a mounted Secret)",
  );
  return undefined;
}

/**
 * `<base>.auth`: `bearerTokenFile` (or `$<envVar>`), or `basic: {username, password |
 * passwordFile}`; both at once, or an `Authorization` header next to either, is an error.
 */
export function readBackendAuth(
  r: ConfigReader,
  base: YamlPath,
  headers: Readonly<Record<string, string>>,
  envVar?: string,
): BackendAuthConfig {
  const path = [...base, "auth"];
  if (r.fields.map(path) !== undefined) r.fields.onlyKeys(path, AUTH_KEYS, "auth");
  const file = r.string([...path, "bearerTokenFile"], "", envVar);
  const bp = [...path, "basic"];
  let basic: BackendAuthConfig["basic"];
  if (r.fields.map(bp) !== undefined) {
    r.fields.onlyKeys(bp, BASIC_KEYS, "auth.basic");
    const username = r.optionalText([...bp, "username"]);
    const password = secretText(r, [...bp, "password"]);
    const passwordFile = r.optionalText([...bp, "passwordFile"]);
    if (username === undefined && r.fields.get([...bp, "username"]) === undefined) {
      r.report(bp, "basic auth needs a username", "add username: <user>");
    }
    if ((password === undefined) === (passwordFile === undefined)) {
      r.report(
        bp,
        "basic auth needs exactly one of password and passwordFile",
        "set passwordFile to a mounted Secret's file (re-read when it changes), or password",
      );
    }
    if (username !== undefined && username.includes(":")) {
      r.report([...bp, "username"], "a basic-auth username cannot contain ':'", "use the user name alone");
    }
    if (username !== undefined) {
      basic = {
        username,
        ...(password === undefined ? {} : { password }),
        ...(passwordFile === undefined ? {} : { passwordFile }),
      };
    }
  } else if (r.fields.get(bp) !== undefined) {
    r.report(
      bp,
      `expected a mapping, got ${describeValue(r.fields.get(bp))}`,
      "write basic: {username: u, passwordFile: /etc/slogate/prometheus/password}",
    );
  }
  if (file !== "" && r.fields.get(bp) !== undefined) {
    r.report(
      path,
      "set one of auth.bearerTokenFile and auth.basic, not both",
      "a backend takes one kind of credentials",
    );
  }
  const authorization = Object.keys(headers).find((h) => h.toLowerCase() === "authorization");
  if (authorization !== undefined && (file !== "" || basic !== undefined)) {
    r.report(
      [...base, "headers", authorization],
      "an Authorization header and auth credentials would both set Authorization",
      "remove the header, or the auth block",
      true,
    );
  }
  return { ...(file === "" ? {} : { bearerTokenFile: file }), ...(basic === undefined ? {} : { basic }) };
}

/** `<base>.tls`: CA, client certificate and key (both or neither), server name, skip-verify. */
export function readBackendTls(r: ConfigReader, base: YamlPath, url: string): BackendTlsConfig {
  const path = [...base, "tls"];
  if (r.fields.map(path) === undefined) return { insecureSkipVerify: false };
  r.fields.onlyKeys(path, TLS_KEYS, "tls");
  const caFile = r.optionalText([...path, "caFile"]);
  const certFile = r.optionalText([...path, "certFile"]);
  const keyFile = r.optionalText([...path, "keyFile"]);
  const serverName = r.optionalText([...path, "serverName"]);
  const insecureSkipVerify = r.boolean([...path, "insecureSkipVerify"], false);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    r.report(
      [...path, certFile === undefined ? "keyFile" : "certFile"],
      "a client certificate needs both certFile and keyFile",
      "set certFile (PEM certificate) and keyFile (its PEM private key) together",
    );
  }
  if (insecureSkipVerify && caFile !== undefined) {
    r.report(
      [...path, "insecureSkipVerify"],
      "insecureSkipVerify ignores caFile",
      "keep caFile and remove insecureSkipVerify (verification is what caFile is for)",
    );
  }
  if (!url.startsWith("https:")) {
    r.report(
      path,
      `tls settings apply to an https URL, and the URL is ${url.split(":")[0] ?? ""}`,
      "use https:// in the URL, or remove the tls block",
    );
  }
  return {
    ...(caFile === undefined ? {} : { caFile }),
    ...(certFile === undefined ? {} : { certFile }),
    ...(keyFile === undefined ? {} : { keyFile }),
    ...(serverName === undefined ? {} : { serverName }),
    insecureSkipVerify,
  };
}
