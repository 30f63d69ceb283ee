/**
 * @module report/offline-report
 * The analysis page as one self-contained file (`slogate analyze|backtest … --html FILE`):
 * the same document the service serves, without navigation to a service. Pure.
 */
import type { Slo } from "../slo/model.ts";
import type { AnalysisRecord, BaselineRecord, LookRecord } from "../app/store-port.ts";
import { renderAnalysisPage } from "./analysis-page.ts";
import { buildAnalysisReport, reportSloOf } from "./analysis-report.ts";

export interface OfflineReportInput {
  readonly analysis: AnalysisRecord;
  readonly looks: readonly LookRecord[];
  readonly baseline: BaselineRecord | null;
  readonly slo: Slo;
  readonly grafanaUrl?: string;
  readonly generatedAt: number;
}

/** The HTML of an offline report. */
export function renderOfflineReport(input: OfflineReportInput): string {
  return renderAnalysisPage(
    buildAnalysisReport({
      analysis: input.analysis,
      looks: input.looks,
      baseline: input.baseline,
      slo: reportSloOf(input.slo),
      ...(input.grafanaUrl === undefined ? {} : { grafanaUrl: input.grafanaUrl }),
      generatedAt: input.generatedAt,
    }),
  );
}
