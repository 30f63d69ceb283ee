/**
 * @module config/kayenta-config
 * The `kayenta:` section of the service config: slogate's Kayenta-compatible API for Argo
 * Rollouts' `kayenta` provider (docs/service.md). Argo sends no headers and no credentials to
 * Kayenta, so the API has its own access model instead of `auth.tokens`:
 *
 * - `enabled` (default false): the API is served only when asked for;
 * - `port`: a listener of its own (recommended — a NetworkPolicy can then admit only the
 *   Argo Rollouts controller to it); absent, the API shares `listen.port`;
 * - `secret` (≥ 16 characters, or `$SLOGATE_KAYENTA_SECRET`): when set, the API's path is
 *   `/kayenta/<secret>/…` instead of `/kayenta/…` — the template's `address` carries it. A
 *   secret in a URL is weaker than a header (it shows in the template, access logs, proxies):
 *   it keeps out what cannot see the template, a NetworkPolicy keeps out everything else;
 * - `judge` (`sequential`, `kayenta`, `threshold`; default: each SLO's own), `locationLabel`
 *   (the label a scope's `region`/`location` is matched on; default none: ignored), `window`
 *   (judged when a request has no `start`; default 10m), and the same three per canary config
 *   name under `configs:`, plus `scopeLabel` there (a bare scope value then matches that
 *   label, e.g. a server-group label, instead of the SLO's `canary.selection`).
 * Pure.
 */
import type { JudgeName } from "../slo/model.ts";
import type { ConfigReader } from "./config-reader.ts";
import { isValidLabelName } from "../promql/matchers.ts";

/** One canary config's overrides. */
export interface KayentaConfigOverride {
  readonly judge?: JudgeName;
  /** A bare scope value matches `{<scopeLabel>="<value>"}` instead of the SLO's selection. */
  readonly scopeLabel?: string;
  readonly locationLabel?: string;
  readonly windowSeconds?: number;
}

/** The validated `kayenta:` section. */
export interface KayentaConfig {
  readonly enabled: boolean;
  /** A listener of its own; undefined: served on `listen.port`. */
  readonly port?: number;
  /** "" when the path carries no secret. */
  readonly secret: string;
  readonly judge?: JudgeName;
  readonly locationLabel: string;
  readonly windowSeconds: number;
  readonly configs: Readonly<Record<string, KayentaConfigOverride>>;
}

export const DEFAULT_KAYENTA_CONFIG: KayentaConfig = {
  enabled: false,
  secret: "",
  locationLabel: "",
  windowSeconds: 600,
  configs: {},
};

/** Keys of the section. */
export const KAYENTA_KEYS = [
  "enabled",
  "port",
  "secret",
  "judge",
  "locationLabel",
  "window",
  "configs",
] as const;
const JUDGES: readonly JudgeName[] = ["sequential", "kayenta", "threshold"];
const OVERRIDE_KEYS = ["judge", "scopeLabel", "locationLabel", "window"];
const POSITIVE = { min: 0, exclusive: true, emptyIsDefault: true } as const;

function label(r: ConfigReader, path: (string | number)[]): string | undefined {
  const v = r.fields.get(path);
  if (v === undefined) return undefined;
  const s = r.string(path, "");
  if (s !== "" && !isValidLabelName(s)) {
    r.report(path, `${JSON.stringify(s)} is not a Prometheus label name`, "e.g. locationLabel: region");
  }
  return s;
}

/** Reads `kayenta:` (every problem reported through `r`). */
export function readKayentaConfig(r: ConfigReader): KayentaConfig {
  const d = DEFAULT_KAYENTA_CONFIG;
  if (r.fields.map(["kayenta"]) === undefined && !r.setByEnv("SLOGATE_KAYENTA_SECRET")) return d;
  r.fields.onlyKeys(["kayenta"], KAYENTA_KEYS, "kayenta");
  const enabled = r.boolean(["kayenta", "enabled"], d.enabled);
  const port =
    r.fields.get(["kayenta", "port"]) === undefined ? undefined : r.integer(["kayenta", "port"], 0, 0, 65535);
  const secret = r.string(["kayenta", "secret"], d.secret, "SLOGATE_KAYENTA_SECRET");
  if (secret !== "" && (secret.length < 16 || !/^[A-Za-z0-9._~-]+$/.test(secret))) {
    r.reportSetting(
      ["kayenta", "secret"],
      "SLOGATE_KAYENTA_SECRET",
      "must be at least 16 characters of A-Z a-z 0-9 . _ ~ - (it travels in the URL path)",
      "use e.g. openssl rand -hex 24",
    );
  }
  const judgeText = r.fields.get(["kayenta", "judge"]);
  const judge = judgeText === undefined ? undefined : r.oneOf(["kayenta", "judge"], JUDGES, "sequential");
  const locationLabel = label(r, ["kayenta", "locationLabel"]) ?? d.locationLabel;
  const windowSeconds = r.duration(["kayenta", "window"], d.windowSeconds, POSITIVE);
  const configs: Record<string, KayentaConfigOverride> = {};
  const m = r.fields.map(["kayenta", "configs"]);
  for (const name of Object.keys(m ?? {})) {
    const path = ["kayenta", "configs", name];
    if (r.fields.map(path) === undefined) continue;
    r.fields.onlyKeys(path, OVERRIDE_KEYS, `kayenta.configs.${name}`);
    const j =
      r.fields.get([...path, "judge"]) === undefined
        ? undefined
        : r.oneOf([...path, "judge"], JUDGES, "sequential");
    const sl = label(r, [...path, "scopeLabel"]);
    const l = label(r, [...path, "locationLabel"]);
    const w =
      r.fields.get([...path, "window"]) === undefined
        ? undefined
        : r.duration([...path, "window"], 600, POSITIVE);
    configs[name] = {
      ...(j === undefined ? {} : { judge: j }),
      ...(sl === undefined || sl === "" ? {} : { scopeLabel: sl }),
      ...(l === undefined ? {} : { locationLabel: l }),
      ...(w === undefined ? {} : { windowSeconds: w }),
    };
  }
  return {
    enabled,
    ...(port === undefined ? {} : { port }),
    secret,
    ...(judge === undefined ? {} : { judge }),
    locationLabel,
    windowSeconds,
    configs,
  };
}
