/**
 * @module generate/alert-windows
 * Multi-window, multi-burn-rate alert windows (Google SRE Workbook, "Alerting on SLOs",
 * recommended parameters): two page tiers and two ticket tiers, each a long and a short
 * window and a share of the period's error budget. The burn factor is derived exactly for any
 * period: factor = budget% × period hours / 100 / long-window hours, which gives the
 * Workbook's 14.4 / 6 / 3 / 1 for 30 days and 13.44 / 5.6 / 2.8 / 14÷15 for 28 days. Pure.
 */
import { div, mul, rational, type Rational } from "../slo/decimal.ts";

/** The stable alert tier; every generated alert carries it as `sloth_severity`. */
export type AlertTier = "page" | "ticket";

/** One window pair of a tier. */
export interface BurnWindow {
  readonly tier: AlertTier;
  /** `quick` fires fast on heavy burns; `slow` catches sustained moderate burns. */
  readonly speed: "quick" | "slow";
  readonly errorBudgetPercent: number;
  readonly shortWindowSeconds: number;
  readonly longWindowSeconds: number;
  /** The burn-rate factor for the period, exact. */
  readonly burnFactor: Rational;
}

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

/** The Workbook's table: budget share and windows, independent of the period. */
const WORKBOOK: readonly Omit<BurnWindow, "burnFactor">[] = [
  {
    tier: "page",
    speed: "quick",
    errorBudgetPercent: 2,
    shortWindowSeconds: 5 * MINUTE,
    longWindowSeconds: HOUR,
  },
  {
    tier: "page",
    speed: "slow",
    errorBudgetPercent: 5,
    shortWindowSeconds: 30 * MINUTE,
    longWindowSeconds: 6 * HOUR,
  },
  {
    tier: "ticket",
    speed: "quick",
    errorBudgetPercent: 10,
    shortWindowSeconds: 2 * HOUR,
    longWindowSeconds: DAY,
  },
  {
    tier: "ticket",
    speed: "slow",
    errorBudgetPercent: 10,
    shortWindowSeconds: 6 * HOUR,
    longWindowSeconds: 3 * DAY,
  },
];

/** The four window pairs for an SLO period given in seconds (whole seconds). */
export function burnWindowsFor(periodSeconds: number): BurnWindow[] {
  const period = rational(BigInt(periodSeconds));
  return WORKBOOK.map((w) => ({
    ...w,
    burnFactor: div(
      mul(rational(BigInt(w.errorBudgetPercent)), period),
      mul(rational(100n), rational(BigInt(w.longWindowSeconds))),
    ),
  }));
}

/** Every window an SLO needs a `slo:sli_error:ratio_rate<window>` series for, ascending. */
export function recordedWindowsFor(periodSeconds: number): number[] {
  const set = new Set<number>([5 * MINUTE, periodSeconds]);
  for (const w of WORKBOOK) {
    set.add(w.shortWindowSeconds);
    set.add(w.longWindowSeconds);
  }
  return [...set].sort((a, b) => a - b);
}

/** The window every longer one is chained from. */
export const BASE_WINDOW_SECONDS = 5 * MINUTE;
