/**
 * @module testbed/remote-write
 * A minimal Prometheus remote-write 1.0 client for loading live data into the test bed:
 * the `WriteRequest` protobuf (labels + samples only) and the snappy block format, both
 * encoded here in ~80 lines instead of adding a protobuf runtime and a native snappy binding.
 * The snappy output uses literal elements only: valid snappy that any decoder accepts, not
 * compressed — the bed talks to 127.0.0.1, so size does not matter. No vitest.
 */
import type { SimSeries } from "../sim/scrapes.ts";

class Writer {
  readonly bytes: number[] = [];
  varint(n: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(n));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  lengthDelimited(field: number, payload: Uint8Array | number[]): void {
    this.tag(field, 2);
    this.varint(payload.length);
    for (const b of payload) this.bytes.push(b);
  }
  double(field: number, v: number): void {
    this.tag(field, 1);
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.bytes.push(buf.getUint8(i));
  }
  int64(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(BigInt(v));
  }
}

const utf8 = new TextEncoder();

/** One series to write: all labels including `__name__`, samples with ms timestamps. */
export interface WriteSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly { readonly timestampMs: number; readonly value: number }[];
}

/** Encodes a `prometheus.WriteRequest` protobuf (labels sorted by name, as required). */
export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const req = new Writer();
  for (const s of series) {
    const ts = new Writer();
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const l = new Writer();
      l.lengthDelimited(1, utf8.encode(name));
      l.lengthDelimited(2, utf8.encode(value));
      ts.lengthDelimited(1, l.bytes);
    }
    for (const smp of s.samples) {
      const w = new Writer();
      w.double(1, smp.value);
      w.int64(2, smp.timestampMs);
      ts.lengthDelimited(2, w.bytes);
    }
    req.lengthDelimited(1, ts.bytes);
  }
  return Uint8Array.from(req.bytes);
}

/** Snappy block format with literal elements only (uncompressed but valid). */
export function snappyEncodeLiteral(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = input.length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  const CHUNK = 65536;
  for (let off = 0; off < input.length; off += CHUNK) {
    const len = Math.min(CHUNK, input.length - off);
    const m = len - 1;
    if (m < 60) out.push(m << 2);
    else if (m < 0x100) out.push(60 << 2, m);
    else out.push(61 << 2, m & 0xff, m >>> 8);
    for (let i = off; i < off + len; i++) out.push(input[i] ?? 0);
  }
  return Uint8Array.from(out);
}

/** Simulated series as remote-write series (`__name__` added, seconds → ms). */
export function toWriteSeries(series: readonly SimSeries[], from = -Infinity, to = Infinity): WriteSeries[] {
  return series
    .map((s) => ({
      labels: { __name__: s.metric, ...s.labels },
      samples: s.samples
        .filter((x) => x.t >= from && x.t <= to)
        .map((x) => ({ timestampMs: Math.round(x.t * 1000), value: x.v })),
    }))
    .filter((s) => s.samples.length > 0);
}

/**
 * POSTs series to a remote-write receiver (`<prometheus>/api/v1/write`), in batches of
 * `batch` series. Throws with Prometheus' message on a non-2xx answer.
 */
export async function remoteWrite(
  baseUrl: string,
  series: readonly WriteSeries[],
  batch = 500,
): Promise<void> {
  for (let i = 0; i < series.length; i += batch) {
    const body = snappyEncodeLiteral(encodeWriteRequest(series.slice(i, i + batch)));
    const res = await fetch(`${baseUrl}/api/v1/write`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-protobuf",
        "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
      },
      body,
    });
    if (!res.ok) throw new Error(`remote write to ${baseUrl} failed: ${res.status} ${await res.text()}`);
  }
}
