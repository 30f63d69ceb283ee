/**
 * @module cli/commands/demo
 * `slogate demo` (`./run demo`): the main job end to end on one machine. Starts a local
 * Prometheus (Debian's binary) backfilled with synthetic traffic for a good and a bad canary,
 * starts the gate service with the embedded SQLite store in a temp dir, runs both analyses
 * through HTTP exactly as Argo Rollouts' `web` provider would (one metric per SLO, a look
 * every 3 simulated minutes, stopping at the first failed look), prints each look's verdicts
 * and the analysis links, writes a screenshot of each analysis page (headless Chromium) to
 * `--screenshots` (default `demo-pages/`), then stops everything (or, with `--keep`, runs until
 * Ctrl-C so the links can be opened). History is backfilled, so nothing waits in real time.
 */
import { rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { GateService } from "../../main/gate-service.ts";
import {
  BED_SERVICES,
  BED_START,
  startGateBed,
  type BedService,
  type GateBed,
} from "../../testbed/gate-bed.ts";
import { screenshotPage } from "../../testbed/page-screenshot.ts";
import { memoryLogger, postJson, startHarnessService } from "../../testbed/service-harness.ts";
import type { CliCommand, CliIo } from "../io.ts";
import { commandWithFlags } from "../parse-flags.ts";

const HELP = `usage: slogate demo [--keep] [--json] [--screenshots DIR]

Starts a local Prometheus with synthetic traffic, the gate service and two canary analyses
(a good one and one with a latency regression), as Argo Rollouts would run them, and prints
every look's verdicts and the links to the analyses. Needs the 'prometheus' and 'promtool'
binaries (./run installs Debian's package).

  --keep             leave Prometheus and the service running until Ctrl-C, to explore the
                     links (each opens the analysis page; links are signed and work while the
                     service runs)
  --json             print the verdicts as JSON lines instead of tables
  --screenshots DIR  write a screenshot of each analysis page to DIR/<service>-<slo>.png
                     (default demo-pages; needs Debian's chromium; '' for none)
`;

const LOOKS = 10;
const INTERVAL = 180;
const SLO_NAMES = ["latency", "errors"] as const;

interface Look {
  readonly look: number;
  readonly at: number;
  readonly verdicts: Record<string, { verdict: string; final: boolean; reason: string; link: string }>;
}

async function runCanary(
  io: CliIo,
  gate: GateService,
  s: BedService,
  json: boolean,
): Promise<{ outcome: "promote" | "abort" | "pause"; links: Record<string, string> }> {
  const looks: Look[] = [];
  let outcome: "promote" | "abort" | "pause" = "promote";
  const links: Record<string, string> = {};
  for (let k = 1; k <= LOOKS; k++) {
    const at = BED_START + k * INTERVAL;
    const look: Look = { look: k, at, verdicts: {} };
    // Argo measures every metric of the AnalysisRun at each interval; one metric per SLO.
    for (const name of SLO_NAMES) {
      const r = await postJson(`${gate.url}/api/v1/verdict`, {
        slo: `${s.service}-${name}`,
        canary: s.canary,
        stable: s.stable,
        rollout: `demo/${s.service}`,
        count: LOOKS,
        start: BED_START,
        time: at,
      });
      if (r.status !== 200) {
        throw new Error(`verdict request failed with ${r.status}: ${JSON.stringify(r.body)}`);
      }
      const b = r.body as { verdict: string; final: boolean; reason: string; link: string };
      look.verdicts[name] = { verdict: b.verdict, final: b.final, reason: b.reason, link: b.link };
      links[name] = b.link;
    }
    looks.push(look);
    if (json) io.stdout(JSON.stringify({ service: s.service, ...look }) + "\n");
    else {
      const cells = SLO_NAMES.map((n) => {
        const v = look.verdicts[n]!;
        return `${v.verdict}${v.final ? " (final)" : ""}`.padEnd(18);
      });
      const failing = SLO_NAMES.map((n) => look.verdicts[n]!).find((v) => v.verdict !== "pass");
      io.stdout(
        `  ${String(k).padStart(4)}  ${`+${(k * INTERVAL) / 60}m`.padEnd(5)}  ${cells.join("")}${failing ? failing.reason : ""}\n`,
      );
    }
    const vs = Object.values(look.verdicts).map((v) => v.verdict);
    if (vs.includes("fail")) {
      outcome = "abort";
      break;
    }
    if (vs.includes("inconclusive")) {
      outcome = "pause";
      break;
    }
  }
  if (!json) {
    const last = looks.length;
    const text =
      outcome === "promote"
        ? `Argo: every look Successful (${last} looks) → the rollout is promoted`
        : outcome === "abort"
          ? `Argo: look ${last} Failed → the AnalysisRun fails and the rollout is aborted (traffic back to stable)`
          : `Argo: look ${last} Inconclusive → the rollout pauses for a human`;
    io.stdout(`  ${text}\n`);
    for (const n of SLO_NAMES) io.stdout(`  analysis ${n.padEnd(8)} ${links[n] ?? ""}\n`);
    io.stdout("\n");
  }
  return { outcome, links };
}

/**
 * Writes a screenshot of each analysis page (`<dir>/<service>-<slo>.png`); returns the paths,
 * or why none could be taken (Chromium missing or failing: the demo goes on without them).
 */
async function screenshots(
  dir: string,
  pages: Readonly<Record<string, string>>,
): Promise<{ files: Record<string, string> } | { error: string }> {
  const files: Record<string, string> = {};
  try {
    for (const [name, link] of Object.entries(pages)) {
      const file = join(dir, `${name}.png`);
      await screenshotPage(link, file);
      files[name] = file;
    }
    return { files };
  } catch (e) {
    return { error: (e as Error).message.split("\n")[0] ?? "" };
  }
}

const FLAGS = {
  command: "demo",
  help: HELP,
  options: {
    keep: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    screenshots: { type: "string", default: "demo-pages" },
  },
} as const;

export const run: CliCommand = commandWithFlags(FLAGS, async (parsed, io) => {
  const v = parsed.values;
  const good = BED_SERVICES.healthy;
  const bad = BED_SERVICES.latency;
  const say = (t: string): void => {
    if (!v.json) io.stdout(t);
  };
  say(
    "slogate demo: a local Prometheus with synthetic traffic, the gate service, a good and a bad canary\n\n",
  );
  let bed: GateBed | undefined;
  let gate: GateService | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "slogate-demo-"));
  try {
    say("  starting Prometheus (backfilling 1 h of history and a 30 min canary per service)…\n");
    bed = await startGateBed(["healthy", "latency"]);
    gate = await startHarnessService({
      prometheusUrl: bed.prometheus.url,
      slosDir: bed.slosDir,
      dataDir,
      logger: memoryLogger(),
    });
    say(
      `  prometheus  ${bed.prometheus.url}\n  slogate     ${gate.url}  (store ${join(dataDir, "slogate.db")})\n`,
    );
    say(
      `  SLOs        ${gate.catalog
        .list()
        .map((s) => s.id)
        .join(", ")}\n\n`,
    );
    // Baselines captured before the deploy (what the cron schedule or Flagger's pre-rollout does).
    for (const s of [good, bad]) {
      for (const n of SLO_NAMES) {
        await postJson(`${gate.url}/api/v1/baselines`, {
          slo: `${s.service}-${n}`,
          stable: s.stable,
          time: BED_START,
        });
      }
    }
    const header = `  look  time   ${SLO_NAMES.map((n) => n.padEnd(18)).join("")}reason\n`;
    say(
      `good canary — ${good.service}: canary ${good.canary} vs stable ${good.stable}, same errors and latency\n${header}`,
    );
    const a = await runCanary(io, gate, good, v.json);
    say(
      `bad canary — ${bad.service}: canary ${bad.canary} vs stable ${bad.stable}, median ×1.6 and a 5 % slow tail\n${header}`,
    );
    const b = await runCanary(io, gate, bad, v.json);
    say(
      `pages: ${gate.url}/analyses   metrics: ${gate.url}/metrics   analyses: ${gate.url}/api/v1/analyses   baselines: ${gate.url}/api/v1/baselines\n`,
    );
    if (v.screenshots !== "") {
      const pages: Record<string, string> = {};
      for (const [s, r] of [
        [good, a],
        [bad, b],
      ] as const) {
        for (const [slo, link] of Object.entries(r.links)) pages[`${s.service}-${slo}`] = link;
      }
      const shots = await screenshots(resolve(io.cwd, v.screenshots), pages);
      if (v.json)
        io.stdout(
          JSON.stringify({
            screenshots: "files" in shots ? shots.files : null,
            ...("error" in shots ? { error: shots.error } : {}),
          }) + "\n",
        );
      else if ("files" in shots)
        say(`screenshots of the analysis pages: ${Object.values(shots.files).join(", ")}\n`);
      else say(`no screenshots of the analysis pages: ${shots.error}\n`);
    }
    if (v.keep) {
      say("\nrunning until Ctrl-C…\n");
      await io.stopped;
    }
    const ok = a.outcome === "promote" && b.outcome === "abort";
    say(
      ok
        ? "\ndemo: the good canary was promoted and the bad one aborted.\n"
        : `\ndemo: unexpected outcomes (good: ${a.outcome}, bad: ${b.outcome}).\n`,
    );
    return ok ? 0 : 1;
  } finally {
    await gate?.close();
    await bed?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    say("stopped Prometheus and the service; temp files removed.\n");
  }
});
