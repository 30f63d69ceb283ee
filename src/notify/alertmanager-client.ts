/**
 * @module notify/alertmanager-client
 * `POST /api/v2/alerts` to one Alertmanager, with errors classified for the delivery queue
 * (5xx, 429 and network errors retryable; other 4xx not).
 */
import type { AlertmanagerAlert } from "./alertmanager-alert.ts";
import { deliveryFailure, describeError, httpFailure } from "./delivery-failure.ts";

/** The v2 alerts endpoint under an Alertmanager base URL (which may carry a route prefix). */
export function alertsEndpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/v2/alerts`;
}

/** Posts `alerts` to the Alertmanager at `baseUrl`; rejects with NOTIFY_FAILED. */
export async function postAlerts(
  baseUrl: string,
  alerts: readonly AlertmanagerAlert[],
  signal: AbortSignal,
): Promise<void> {
  const url = alertsEndpoint(baseUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "slogate" },
      body: JSON.stringify(alerts),
      signal,
    });
  } catch (e) {
    throw deliveryFailure(`Alertmanager ${url} unreachable: ${describeError(e)}`, { retryable: true }, e);
  }
  const body = await res.text().catch(() => "");
  if (!res.ok) {
    throw httpFailure(`Alertmanager ${url}`, res.status, body, res.headers.get("retry-after"), Date.now());
  }
}
