// Human formatting of the numbers the traces hold.

const NS_PER_MS = 1e6;

/** Duration in ns as "1.23 s", "45.6 ms", "789 µs" or "12 ns". */
export function fmtDuration(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !isFinite(ns)) return "–";
  const a = Math.abs(ns);
  if (a >= 1e9) return `${(ns / 1e9).toFixed(a >= 1e10 ? 1 : 3)} s`;
  if (a >= 1e6) return `${(ns / NS_PER_MS).toFixed(a >= 1e7 ? 1 : 2)} ms`;
  if (a >= 1e3) return `${(ns / 1e3).toFixed(a >= 1e4 ? 1 : 2)} µs`;
  return `${Math.round(ns)} ns`;
}

/** Bytes with binary prefixes. */
export function fmtBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !isFinite(b)) return "–";
  const a = Math.abs(b);
  if (a >= 1 << 30) return `${(b / (1 << 30)).toFixed(2)} GiB`;
  if (a >= 1 << 20) return `${(b / (1 << 20)).toFixed(2)} MiB`;
  if (a >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} KiB`;
  return `${Math.round(b)} B`;
}

/** A rate in bits per second: "44.51 Mbit/s". */
export function fmtBitRate(bps: number | null | undefined): string {
  if (bps === null || bps === undefined || !isFinite(bps)) return "–";
  const a = Math.abs(bps);
  if (a >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (a >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  if (a >= 1e3) return `${(bps / 1e3).toFixed(1)} kbit/s`;
  return `${Math.round(bps)} bit/s`;
}

/** Integer with thousands separators. */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !isFinite(n)) return "–";
  return Math.round(n).toLocaleString("en-US");
}

/** Unix epoch ns as an ISO-like UTC date with milliseconds. */
export function fmtEpoch(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !isFinite(ns)) return "–";
  const d = new Date(ns / NS_PER_MS);
  return d.toISOString().replace("T", " ").replace("Z", "");
}

/** Value of a payload according to its kind ("bytes", "ns", ...). */
export function fmtValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined) return "–";
  switch (unit) {
    case "bytes":
      return fmtBytes(v);
    case "ns":
      return fmtDuration(v);
    default:
      return fmtCount(v);
  }
}

/** The distinctive end of a label ("stream 4" of "clean #1 stream 4"). */
export function shortLabel(label: string | null, flowId: number): string {
  if (!label) return `flow ${flowId}`;
  const m = /\bstream \S+$/.exec(label);
  return m ? m[0] : label;
}

/** Axis tick labels: one unit for the whole axis and as many decimals as
 * the tick step needs, so zoomed-in ticks stay distinct ("1.2001 s",
 * "1.2002 s" rather than "1.200 s" twice). Byte axes step by powers of two
 * (BYTE_INCRS) and take the unit the step is at least a quarter of, so
 * ticks read "256 KiB, 512 KiB" or "0.25 MiB, 0.50 MiB", never "0.7 MiB". */
export function ticks(kind: "ns" | "bytes" | "count", vals: number[], incr: number): string[] {
  const max = vals.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (kind === "bytes") {
    const units: [number, string][] = [[1 << 30, "GiB"], [1 << 20, "MiB"], [1 << 10, "KiB"], [1, "B"]];
    const [unit, name] = units.find(([u]) => max >= u && incr >= u / 4) ?? units[units.length - 1];
    let dec = 0;
    while (dec < 3 && Math.abs(Math.round((incr / unit) * 10 ** dec) - (incr / unit) * 10 ** dec) > 1e-6) dec++;
    return vals.map((v) => (v === 0 ? "0" : `${(v / unit).toFixed(dec)} ${name}`));
  }
  const steps: [number, string][] = kind === "ns" ? [[1e9, "s"], [1e6, "ms"], [1e3, "µs"], [1, "ns"]] : [[1, ""]];
  const [unit, name] = steps.find(([u]) => max >= u) ?? steps[steps.length - 1];
  const dec = Math.min(9, incr > 0 ? Math.max(0, Math.ceil(Math.log10(unit / incr) - 1e-9)) : 0);
  return vals.map((v) => (v === 0 ? "0" : `${(v / unit).toFixed(dec)}${name ? " " + name : ""}`));
}

/** Tick steps of byte axes: powers of two from 1 B to 1 TiB. */
export const BYTE_INCRS: number[] = Array.from({ length: 41 }, (_, i) => 2 ** i);

/** A time offset with µs resolution, for tables: "812 ns", "61.024 ms",
 * "4.528212 s" (every row of a column then lines up by unit). */
export function fmtOffset(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(6)} s`;
}

/** Traces of engines that log relative times (qlog "time_format":
 * "relative" without a reference) start near the epoch: below this (one
 * year) a timestamp is a clock offset, not a date. */
const RELATIVE_BELOW_NS = 365 * 86400 * 1e9;
export function isRelativeClock(ns: number): boolean {
  return ns < RELATIVE_BELOW_NS;
}

/** A start time: a UTC date, or "t+47.0 ms (relative clock)". */
export function fmtStart(ns: number, short = false): string {
  if (isRelativeClock(ns)) return short ? `t+${fmtDuration(ns)}` : `t+${fmtDuration(ns)} (relative clock, no date in the trace)`;
  return short ? fmtEpoch(ns).slice(11) : `${fmtEpoch(ns)} UTC`;
}
