/**
 * @module slo/alerting-settings
 * Reads burn-rate alerting settings: slogate's `alerting: {page: {enabled}, ticket: …}` and
 * Sloth's `alerting: {page_alert: {disable}, ticket_alert: …}` (camelCase in the Kubernetes
 * form). Pure.
 */
import { defaultAlertingSettings } from "./canary-defaults.ts";
import type { FieldReader } from "./field-reader.ts";
import type { AlertingSettings } from "./model.ts";
import type { YamlPath } from "./problem.ts";

/** Which spelling the file uses. */
export type AlertingStyle = "slogate" | "sloth" | "sloth-k8s";

const KEYS: Readonly<Record<AlertingStyle, { page: string; ticket: string; toggle: "enabled" | "disable" }>> =
  {
    slogate: { page: "page", ticket: "ticket", toggle: "enabled" },
    sloth: { page: "page_alert", ticket: "ticket_alert", toggle: "disable" },
    "sloth-k8s": { page: "pageAlert", ticket: "ticketAlert", toggle: "disable" },
  };

/** Reads an alerting block at `path`; absent → defaults (both alerts on). */
export function readAlerting(r: FieldReader, path: YamlPath, style: AlertingStyle): AlertingSettings {
  const d = defaultAlertingSettings();
  if (r.map(path) === undefined) return d;
  const k = KEYS[style];
  r.onlyKeys(path, ["name", "labels", "annotations", k.page, k.ticket], "alerting");
  const name = r.string([...path, "name"]);
  const tier = (key: string): AlertingSettings["page"] => {
    const p = [...path, key];
    if (r.map(p) === undefined) return d.page;
    r.onlyKeys(p, [k.toggle, "labels", "annotations"], `alerting.${key}`);
    const toggle = r.boolean([...p, k.toggle]);
    const enabled = toggle === undefined ? true : k.toggle === "enabled" ? toggle : !toggle;
    return {
      enabled,
      labels: r.stringMap([...p, "labels"]),
      annotations: r.stringMap([...p, "annotations"]),
    };
  };
  return {
    ...(name === undefined ? {} : { name }),
    labels: r.stringMap([...path, "labels"]),
    annotations: r.stringMap([...path, "annotations"]),
    page: tier(k.page),
    ticket: tier(k.ticket),
  };
}
