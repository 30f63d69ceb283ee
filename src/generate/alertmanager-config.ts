/**
 * @module generate/alertmanager-config
 * An Alertmanager (0.25+) configuration routing the generated alerts — SLO burn alerts and
 * slogate's own verdict/baseline/platform alerts — by team, then by tier (`sloth_severity`
 * page | ticket), to one Slack receiver per team and tier. Slack webhook URLs are read from
 * files (`api_url_file`, one per team; the path is a setting), never written inline. Pages
 * inhibit tickets of the same SLO (`sloth_id`), so one incident is one notification.
 * Verdict alerts (`SlogateCanaryFailed` from the service, `SlogateCanaryVerdictFail` from the
 * generated rules) go out at once — a rollout is being aborted now — grouped per analysis,
 * without the tier's `group_wait`. The Slack message shows, per alert, the summary, the
 * reason, one line of numbers per failing check (canary vs stable vs limit), the analysis link
 * and the runbook, when the alert carries them (`checks`, `link`, `runbook_url` annotations).
 * Pure.
 */
import type { Slo } from "../slo/model.ts";
import { sanitizeTeam, teamOf } from "./team.ts";

/** Alertmanager generation settings. */
export interface AlertmanagerOptions {
  /** Team for SLOs without a team/owner label, and for alerts with no team. */
  readonly defaultTeam: string;
  /** Team that owns slogate itself. */
  readonly platformTeam: string;
  /**
   * Path of the file holding a team's Slack webhook URL; `{team}` is replaced by the team.
   * Default `/etc/alertmanager/secrets/slack-{team}-url`.
   */
  readonly slackUrlFile: string;
  /** Channel when an alert has no `slack_channel` label; `{team}` and `{tier}` are replaced. */
  readonly slackChannel: string;
}

/** Default settings. */
export const defaultAlertmanagerOptions: AlertmanagerOptions = {
  defaultTeam: "platform",
  platformTeam: "platform",
  slackUrlFile: "/etc/alertmanager/secrets/slack-{team}-url",
  slackChannel: "#alerts-{team}-{tier}",
};

type Tier = "page" | "ticket";

/** The subset of Alertmanager's configuration the generator writes. */
export interface AlertmanagerConfig {
  readonly global: { readonly resolve_timeout: string };
  readonly route: AlertmanagerRoute;
  readonly inhibit_rules: readonly {
    readonly source_matchers: readonly string[];
    readonly target_matchers: readonly string[];
    readonly equal: readonly string[];
  }[];
  readonly receivers: readonly {
    readonly name: string;
    readonly slack_configs: readonly Record<string, string | boolean>[];
  }[];
}

/** A route of the routing tree. */
export interface AlertmanagerRoute {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly AlertmanagerRoute[];
}

/** Receiver name of a team and tier: `slack-<team>-<tier>`. */
export function receiverName(team: string, tier: Tier): string {
  return `slack-${team}-${tier}`;
}

function fill(template: string, team: string, tier?: Tier): string {
  return template.replaceAll("{team}", team).replaceAll("{tier}", tier ?? "");
}

/** alertname of slogate's verdict alerts: the service's (notify) and the generated rule's. */
export const VERDICT_ALERTNAMES = ["SlogateCanaryFailed", "SlogateCanaryVerdictFail"] as const;

/** The child route that sends verdict alerts without waiting, one group per analysis. */
function verdictRoute(receiver?: string): AlertmanagerRoute {
  return {
    matchers: [`alertname=~"${VERDICT_ALERTNAMES.join("|")}"`],
    ...(receiver === undefined ? {} : { receiver }),
    group_by: ["alertname", "sloth_id", "analysis"],
    group_wait: "0s",
  };
}

const TIERS: readonly { tier: Tier; group_wait: string; repeat_interval: string }[] = [
  { tier: "page", group_wait: "30s", repeat_interval: "1h" },
  { tier: "ticket", group_wait: "5m", repeat_interval: "12h" },
];

/** The teams that get receivers: every SLO owner, the default and the platform team, sorted. */
export function teamsOf(slos: readonly Slo[], options: AlertmanagerOptions): string[] {
  const set = new Set(slos.map((s) => teamOf(s, options.defaultTeam)));
  set.add(sanitizeTeam(options.defaultTeam));
  set.add(sanitizeTeam(options.platformTeam));
  return [...set].sort();
}

/** Builds the Alertmanager configuration for `slos`. */
export function generateAlertmanagerConfig(
  slos: readonly Slo[],
  options: AlertmanagerOptions,
): AlertmanagerConfig {
  const teams = teamsOf(slos, options);
  const fallback = sanitizeTeam(options.defaultTeam);
  const routes: AlertmanagerRoute[] = teams.map((team) => ({
    matchers: [`team="${team}"`],
    receiver: receiverName(team, "ticket"),
    routes: TIERS.map((t) => ({
      matchers: [`sloth_severity="${t.tier}"`],
      receiver: receiverName(team, t.tier),
      group_wait: t.group_wait,
      repeat_interval: t.repeat_interval,
      routes: [verdictRoute()],
    })),
  }));
  const title =
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}{{ if .CommonLabels.sloth_id }} {{ .CommonLabels.sloth_id }}{{ end }}';
  const text = [
    "{{ range .Alerts }}*{{ .Annotations.summary }}*\n",
    "{{ if .Annotations.description }}{{ .Annotations.description }}\n{{ end }}",
    "{{ if .Annotations.checks }}{{ .Annotations.checks }}\n{{ end }}",
    "{{ if .Annotations.link }}<{{ .Annotations.link }}|Analysis{{ if .Labels.analysis }} {{ .Labels.analysis }}{{ end }}>\n{{ end }}",
    "{{ if .Annotations.runbook_url }}<{{ .Annotations.runbook_url }}|Runbook>\n{{ end }}",
    "{{ end }}",
  ].join("");
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: receiverName(fallback, "ticket"),
      group_by: ["alertname", "sloth_id", "sloth_severity"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        ...routes,
        // Alerts with no known team: page or ticket the default team.
        {
          matchers: ['sloth_severity="page"'],
          receiver: receiverName(fallback, "page"),
          group_wait: "30s",
          repeat_interval: "1h",
          routes: [verdictRoute()],
        },
        // Verdict alerts with no known team and tier: the default team's tickets, at once.
        verdictRoute(receiverName(fallback, "ticket")),
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['sloth_severity="page"', 'sloth_id=~".+"'],
        target_matchers: ['sloth_severity="ticket"'],
        equal: ["sloth_id"],
      },
    ],
    receivers: teams.flatMap((team) =>
      TIERS.map((t) => ({
        name: receiverName(team, t.tier),
        slack_configs: [
          {
            api_url_file: fill(options.slackUrlFile, team),
            channel: `{{ if .CommonLabels.slack_channel }}{{ .CommonLabels.slack_channel }}{{ else }}${fill(options.slackChannel, team, t.tier)}{{ end }}`,
            send_resolved: true,
            title,
            title_link: "{{ (index .Alerts 0).Annotations.link }}",
            text,
          },
        ],
      })),
    ),
  };
}
