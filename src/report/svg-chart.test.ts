import { describe, expect, it } from "vitest";
import {
  emptyChart,
  groupedBars,
  lineChart,
  niceTicks,
  powerOfTen,
  sparkline,
  stackedBars,
  timeTicks,
  type LineChartSpec,
} from "./svg-chart.ts";

/** The `d` attributes of the drawn lines, with their point counts. */
function lines(svg: string): { points: number; commands: number; d: string }[] {
  return [...svg.matchAll(/<path class="line" data-points="(\d+)" d="([^"]*)"/g)].map((m) => ({
    points: Number(m[1]),
    commands: (m[2] ?? "").match(/[ML]/g)?.length ?? 0,
    d: m[2] ?? "",
  }));
}

function spec(over: Partial<LineChartSpec> = {}): LineChartSpec {
  return {
    id: "c",
    title: "t",
    description: "d",
    yScale: "linear",
    series: [
      {
        key: "canary",
        name: "canary",
        points: [1, 2, 3, 4].map((i) => ({
          x: i * 60,
          y: i / 100,
          lo: i / 200,
          hi: i / 50,
          label: `look ${i}`,
        })),
      },
    ],
    xDomain: [0, 240],
    formatX: String,
    formatY: String,
    ...over,
  };
}

describe("lineChart", () => {
  it("draws one path command and one marker per point, and says how many", () => {
    const svg = lineChart(spec());
    expect(lines(svg)).toEqual([expect.objectContaining({ points: 4, commands: 4 })]);
    expect(svg.match(/<circle class="pt"/g)).toHaveLength(4);
    expect(svg.match(/<title>look \d<\/title>/g)).toHaveLength(4);
  });

  it("draws an interval bar per point that has one", () => {
    const svg = lineChart(spec());
    const err = /<path class="err" d="([^"]*)"/.exec(svg)?.[1] ?? "";
    expect(err.match(/M/g)).toHaveLength(4);
  });

  it("puts a point on a log axis exactly on the reference line of the same value", () => {
    const svg = lineChart(
      spec({
        yScale: "log",
        series: [
          {
            key: "evalue",
            name: "e",
            points: [
              { x: 60, y: 0.5, label: "a" },
              { x: 120, y: 20, label: "b" },
            ],
          },
        ],
        refLines: [{ key: "bound", y: 20, label: "1/α = 20" }],
      }),
    );
    const refY = /data-ref="bound"><line x1="\d+" x2="\d+" y1="([\d.]+)"/.exec(svg)?.[1];
    const lastY = /L[\d.]+ ([\d.]+)"/.exec(svg)?.[1];
    expect(refY).toBeDefined();
    expect(lastY).toBe(refY);
  });

  it("draws values below a log axis' floor on the floor instead of off the chart", () => {
    const svg = lineChart(
      spec({
        yScale: "log",
        logFloor: 1e-3,
        series: [
          {
            key: "evalue",
            name: "e",
            points: [
              { x: 60, y: 1e-30, label: "a" },
              { x: 120, y: 1e-3, label: "b" },
            ],
          },
        ],
      }),
    );
    const ys = [...svg.matchAll(/<circle class="pt" cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys[0]).toBe(ys[1]);
  });

  it("escapes every text it is given", () => {
    const svg = lineChart(
      spec({
        title: "<script>alert(1)</script>",
        series: [{ key: 'x"><b', name: "<i>", points: [{ x: 1, y: 1, label: "</title><script>" }] }],
      }),
    );
    expect(svg).not.toMatch(/<script|<b|<i>[^<]/);
    expect(svg).toContain("&lt;script&gt;");
  });

  it("renders an explicit empty figure when no series has a point", () => {
    const svg = lineChart(spec({ series: [{ key: "canary", name: "canary", points: [] }] }));
    expect(svg).toContain('data-chart="empty"');
    expect(svg).toContain("nothing to plot yet");
    expect(lines(svg)).toHaveLength(0);
  });
});

describe("bars and sparklines", () => {
  it("draws one stacked bar per look with segments summing to the plot height", () => {
    const svg = stackedBars("tr", "t", "d", [
      {
        label: "1",
        segments: [
          { key: "canary", name: "c", value: 0.25 },
          { key: "stable", name: "s", value: 0.75 },
        ],
        tooltip: "x",
      },
      {
        label: "2",
        segments: [
          { key: "canary", name: "c", value: 0.5 },
          { key: "stable", name: "s", value: 0.5 },
        ],
        tooltip: "y",
      },
    ]);
    expect(svg).toContain('data-bars="2"');
    const heights = [
      ...svg.matchAll(/<rect class="seg [^"]*" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g),
    ].map((m) => Number(m[1]));
    expect(heights).toHaveLength(4);
    expect((heights[0] ?? 0) + (heights[1] ?? 0)).toBeCloseTo((heights[2] ?? 0) + (heights[3] ?? 0), 0);
    expect((heights[1] ?? 0) / (heights[0] ?? 1)).toBeCloseTo(3, 1);
  });

  it("draws one bar per category per series in a grouped chart", () => {
    const svg = groupedBars(
      "h",
      "t",
      "d",
      ["a", "b", "c"],
      [
        { key: "canary", name: "c", values: [0.1, 0.2, 0.7] },
        { key: "stable", name: "s", values: [0.3, 0.3, 0.4] },
      ],
      String,
    );
    expect(svg.match(/<rect class="seg/g)).toHaveLength(6);
    expect(svg).toContain('data-series="stable" data-points="3"');
  });

  it("refuses to draw a grouped series whose length does not match the categories", () => {
    expect(
      groupedBars("h", "t", "d", ["a", "b"], [{ key: "canary", name: "c", values: [1] }], String),
    ).toContain('data-chart="empty"');
  });

  it.each([
    [[0.1, -0.5, 0.2], 3],
    [[Number.NaN, 1], 1],
    [[], 0],
  ])("draws a sparkline of %j with %i points", (values, n) => {
    const svg = sparkline("s", values, "pass");
    if (n === 0) expect(svg).toContain("no e-value");
    else expect(lines(svg)[0]).toEqual(expect.objectContaining({ points: n, commands: n }));
  });

  it("gives an empty chart an accessible name", () => {
    expect(emptyChart("e", "Title", "Desc")).toMatch(/aria-labelledby="e-t e-d"/);
  });
});

describe("ticks", () => {
  it.each([
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 0.05, [0, 0.01, 0.02, 0.03, 0.04, 0.05]],
    [0, 250, [0, 50, 100, 150, 200, 250]],
  ])("niceTicks(%d, %d) is %j", (lo, hi, want) => {
    expect(niceTicks(lo, hi, 5)).toEqual(want);
  });

  it.each([
    [0, 240, 60],
    [0, 1800, 300],
    [0, 7200, 1800],
    [0, 86400 * 3, 43200],
  ])("timeTicks(%d, %d) steps by %d s", (lo, hi, step) => {
    const t = timeTicks(lo, hi);
    expect(t.length).toBeGreaterThanOrEqual(2);
    expect(t.length).toBeLessThanOrEqual(7);
    expect((t[1] ?? 0) - (t[0] ?? 0)).toBe(step);
  });
});

describe("powerOfTen", () => {
  it.each([
    [1e-4, "10⁻⁴"],
    [0.01, "0.01"],
    [1, "1"],
    [1000, "1000"],
    [1e17, "10¹⁷"],
  ])("writes %d as %s", (y, want) => {
    expect(powerOfTen(y)).toBe(want);
  });
});
