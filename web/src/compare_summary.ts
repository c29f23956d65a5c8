// The compare view's summary: the figures of two flows side by side with
// their difference. Counts come from the flow summaries of the API; RTT
// minimum and median from the flow's whole RTT series.
import { api, FlowDetail } from "./api";
import { h, replace } from "./dom";
import { bytesOf } from "./flow_header";
import { fmtBitRate, fmtBytes, fmtCount, fmtDuration } from "./format";

const RTT_POINTS = 20000; // the API's maximum: exact below, buckets above

export interface RttStats {
  min: number;
  median: number;
  /** false when the series came in buckets (median of bucket centres) */
  exact: boolean;
  count: number;
}

/** Minimum and median of an RTT metric over the whole flow, or null when
 * the flow holds none. The minimum is exact either way (buckets keep
 * their true extremes). */
export async function rttStats(d: FlowDetail, metric: "smoothed_rtt" | "rtt_sample"): Promise<RttStats | null> {
  if (!(d.metrics[metric] > 0)) return null;
  const s = await api.series(d.flow.key, { metric, points: RTT_POINTS });
  const vals: { v: number; n: number }[] = [];
  let min = Infinity;
  for (const part of s.series) {
    for (let i = 0; i < part.t.length; i++) {
      min = Math.min(min, part.min[i]);
      vals.push(s.exact ? { v: part.min[i], n: 1 } : { v: (part.min[i] + part.max[i]) / 2, n: part.n[i] });
    }
  }
  if (!vals.length) return null;
  return { min, median: median(vals), exact: s.exact, count: s.count };
}

/** Median of weighted values (the mean of the two middle ones when the
 * total weight is even). */
export function median(vals: { v: number; n: number }[]): number {
  const sorted = [...vals].sort((a, b) => a.v - b.v);
  const total = sorted.reduce((a, x) => a + x.n, 0);
  const at = (k: number): number => {
    let acc = 0;
    for (const x of sorted) {
      acc += x.n;
      if (acc > k) return x.v;
    }
    return sorted[sorted.length - 1].v;
  };
  return total % 2 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

export interface SideFacts {
  d: FlowDetail;
  srtt: RttStats | null;
  rtt: RttStats | null;
}

type Kind = "duration" | "count" | "bytes" | "percent" | "rate";

export interface Figure {
  id: string;
  label: string;
  kind: Kind;
  a: number | null;
  b: number | null;
  /** per side: an approximation (with why) */
  approx?: [string, string];
  title?: string;
}

const FMT: Record<Kind, (v: number) => string> = {
  duration: fmtDuration,
  count: fmtCount,
  bytes: fmtBytes,
  percent: (v) => `${v.toFixed(2)} %`,
  rate: fmtBitRate,
};

/** The figures of both flows, in display order. */
export function figures(a: SideFacts, b: SideFacts): Figure[] {
  const both = (f: (s: SideFacts) => number | null): [number | null, number | null] => [f(a), f(b)];
  // packets belong to the connection: a stream's counts are always 0
  const conn = (f: (s: SideFacts) => number): ((s: SideFacts) => number | null) => (s) => (s.d.flow.kind === "stream" ? null : f(s));
  const fig = (id: string, label: string, kind: Kind, f: (s: SideFacts) => number | null, title?: string): Figure => {
    const [va, vb] = both(f);
    return { id, label, kind, a: va, b: vb, title };
  };
  const rttFig = (id: string, label: string, pick: (s: SideFacts) => RttStats | null, field: "min" | "median", title: string): Figure => {
    const f = fig(id, label, "duration", (s) => pick(s)?.[field] ?? null, title);
    if (field === "median") {
      const why = (s: SideFacts): string => {
        const r = pick(s);
        return r && !r.exact ? `≈ median of ${fmtCount(r.count)} samples read in buckets (more than ${fmtCount(RTT_POINTS)})` : "";
      };
      f.approx = [why(a), why(b)];
    }
    return f;
  };
  return [
    fig("duration", "duration", "duration", (s) => s.d.flow.duration_ns),
    fig("events", "events", "count", (s) => s.d.flow.events),
    fig("packets_sent", "packets sent", "count", conn((s) => s.d.flow.packets_sent)),
    fig("packets_acked", "packets acked", "count", conn((s) => s.d.flow.packets_acked)),
    fig("packets_lost", "packets lost", "count", conn((s) => s.d.flow.packets_lost)),
    fig("packets_retransmitted", "packets retransmitted", "count", conn((s) => s.d.flow.packets_retransmitted)),
    fig("loss_rate", "loss rate", "percent",
      (s) => (s.d.flow.kind === "stream" || !s.d.flow.packets_sent ? null : (100 * s.d.flow.packets_lost) / s.d.flow.packets_sent),
      "packets lost / packets sent"),
    fig("bytes_sent", "bytes sent", "bytes", (s) => bytesOf(s.d).sent),
    fig("bytes_acked", "bytes acked", "bytes", (s) => bytesOf(s.d).acked),
    fig("goodput", "goodput", "rate",
      (s) => (s.d.flow.duration_ns > 0 && bytesOf(s.d).acked > 0 ? (bytesOf(s.d).acked * 8) / (s.d.flow.duration_ns / 1e9) : null),
      "bytes acked × 8 / duration"),
    fig("max_cwnd", "max cwnd", "bytes", (s) => s.d.flow.max_cwnd),
    fig("last_cwnd", "last cwnd", "bytes", (s) => s.d.flow.last_cwnd),
    rttFig("srtt_min", "min smoothed RTT", (s) => s.srtt, "min", "lowest smoothed_rtt event"),
    rttFig("srtt_median", "median smoothed RTT", (s) => s.srtt, "median", "median of the smoothed_rtt events"),
    rttFig("rtt_min", "min RTT sample", (s) => s.rtt, "min", "lowest rtt_sample event"),
    fig("streams", "streams", "count", (s) => (s.d.flow.kind === "connection" ? s.d.flow.streams : null)),
  ];
}

/** "+1.20 ms (+35%)", "−12 (−4.1%)", "= " or "" when a side has no value. */
export function fmtDiff(kind: Kind, a: number | null, b: number | null): string {
  if (a === null || b === null) return "";
  const d = b - a;
  if (d === 0) return "=";
  const sign = d > 0 ? "+" : "−";
  if (kind === "percent") return `${sign}${Math.abs(d).toFixed(2)} pp`;
  let rel = "";
  if (a !== 0) {
    const pct = Math.abs((d / a) * 100);
    const ratio = b / a;
    rel = pct >= 1000 ? ` (×${ratio.toFixed(ratio >= 100 ? 0 : 1)})`
      : pct < 0.01 ? " (<0.01%)"
      : ` (${sign}${pct.toFixed(pct < 1 ? 2 : pct < 10 ? 1 : 0)}%)`;
  }
  return `${sign}${FMT[kind](Math.abs(d))}${rel}`;
}

/** The summary table: one row per figure, A, B and B − A. A row where
 * neither flow has a value is left out. */
export function renderSummary(el: HTMLElement, figs: Figure[], heads: [Node, Node]): void {
  const cell = (f: Figure, side: 0 | 1): HTMLElement => {
    const v = side ? f.b : f.a;
    const why = f.approx?.[side] ?? "";
    return h("td", { class: "num", "data-side": side ? "b" : "a", "data-value": v === null ? "" : String(v), title: why },
      v === null ? h("span", { class: "muted" }, "–") : `${why ? "≈ " : ""}${FMT[f.kind](v)}`);
  };
  replace(el, h("table", { id: "compare-summary" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", { class: "num side-a" }, heads[0]), h("th", { class: "num side-b" }, heads[1]),
      h("th", { class: "num" }, "B − A"))),
    h("tbody", {}, ...figs.filter((f) => f.a !== null || f.b !== null).map((f) => h("tr", { "data-fig": f.id },
      h("th", { title: f.title ?? "" }, f.label),
      cell(f, 0), cell(f, 1),
      h("td", { class: "num diff" + diffClass(f) }, fmtDiff(f.kind, f.a, f.b)))))));
}

/** Marks a difference of 10% or more (or any where A is 0). */
function diffClass(f: Figure): string {
  if (f.a === null || f.b === null || f.a === f.b) return "";
  return f.a === 0 || Math.abs((f.b - f.a) / f.a) >= 0.1 ? " big" : "";
}
