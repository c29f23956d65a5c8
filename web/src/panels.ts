// The flow view's time panels as data: which metrics each draws, how, and
// what to say when the trace holds none of them.
import type { FlowDetail, Series } from "./api";
import { COLORS, Draw, Rows, SeriesDef } from "./charts";
import { fmtBytes, fmtCount, fmtDuration } from "./format";

export interface MetricDef {
  metric: string; // API metric name or "type:N"
  label: string;
  color: string;
  draw: Draw;
  level?: number; // markers: y on the 0..1 marker scale
  dash?: number[];
  size?: number;
  width?: number;
  scale?: string;
  fill?: string;
  hollow?: boolean;
  /** metrics[] entry that counts this one's events (default: metric) */
  countKey?: string;
  /** one line per flow (per-stream limits), at most this many */
  perFlow?: number;
  note?: (v: number, n: number) => string;
}

export interface PanelDef {
  id: string;
  title: string;
  yFmt: (v: number) => string;
  yKind: "ns" | "bytes";
  /** y axis titles, with the unit */
  yTitle: string;
  limTitle?: string;
  height: number;
  metrics: MetricDef[];
  /** what the panel is about, for "no X events in this flow" */
  about: string;
}

/** Markers of one packet-lost event type (5 or 6) at the top of the
 * congestion panel; a bucket of several says how many. */
function lossMarker(type: number, label: string, color: string, level: number): MetricDef {
  return {
    metric: `type:${type}`, label, color, draw: "marker", level, size: 7,
    countKey: "packet_lost", note: (v, n) => (n > 1 ? `${n} losses` : `pn ${fmtCount(v)}`),
  };
}

const RECOVERY = ["slow start", "congestion avoidance", "recovery", "application limited"];

export const PANELS: PanelDef[] = [
  {
    id: "offsets",
    title: "Stream offsets and flow control",
    about: "stream data (data_sent/acked/lost) or flow-control (max_data) events",
    yFmt: fmtBytes,
    yKind: "bytes",
    yTitle: "stream offset (bytes)",
    limTitle: "MAX_DATA (bytes)",
    height: 260,
    metrics: [
      { metric: "data_sent", label: "sent", color: COLORS.sent, draw: "points", size: 3 },
      { metric: "data_acked", label: "acked", color: COLORS.acked, draw: "points", size: 3 },
      { metric: "data_retransmitted", label: "retransmitted", color: COLORS.retrans, draw: "points", size: 5, hollow: true },
      { metric: "data_lost", label: "lost", color: COLORS.lost, draw: "points", size: 8, hollow: true },
      { metric: "data_received", label: "received", color: COLORS.received, draw: "points", size: 3 },
      { metric: "max_data", label: "MAX_DATA (right axis)", color: COLORS.limit, draw: "step", scale: "lim" },
      { metric: "max_stream_data", label: "MAX_STREAM_DATA", color: COLORS.limit2, draw: "step", dash: [5, 3], perFlow: 6 },
    ],
  },
  {
    id: "congestion",
    title: "Congestion control",
    about: "congestion-window (cwnd), ssthresh or bytes-in-flight events",
    yFmt: fmtBytes,
    yKind: "bytes",
    yTitle: "window (bytes)",
    height: 220,
    metrics: [
      // drawn first, as a light area, so cwnd stays visible on top of it;
      // a step: the value holds until the next event (a line would invent
      // a ramp across an outage with no events)
      { metric: "bytes_in_flight", label: "bytes in flight", color: COLORS.inflight, draw: "step", fill: "rgba(239,140,0,0.18)", width: 1 },
      { metric: "cwnd", label: "cwnd", color: COLORS.cwnd, draw: "step", width: 2 },
      { metric: "ssthresh", label: "ssthresh", color: COLORS.ssthresh, draw: "step", dash: [6, 3] },
      lossMarker(5, "lost (timeout)", COLORS.lost, 0.97),
      lossMarker(6, "lost (threshold)", "#8b0000", 0.92),
      {
        metric: "type:55", label: "recovery state", color: COLORS.recovery, draw: "marker", level: 0.87, size: 7,
        countKey: "recovery_state", note: (v, n) => (n > 1 ? `${n} changes` : RECOVERY[v] ?? String(v)),
      },
    ],
  },
  {
    id: "rtt",
    title: "Round-trip time",
    about: "RTT (rtt_sample or smoothed_rtt) events",
    yFmt: fmtDuration,
    yKind: "ns",
    yTitle: "round-trip time",
    height: 200,
    metrics: [
      { metric: "rtt_sample", label: "RTT sample", color: COLORS.rtt, draw: "points", size: 3 },
      { metric: "smoothed_rtt", label: "smoothed RTT", color: COLORS.srtt, draw: "line", width: 2 },
      { metric: "min_rtt", label: "min RTT", color: COLORS.minrtt, draw: "step", dash: [4, 3] },
    ],
  },
];

const SENDER_SIDE = new Set(["data_sent", "data_acked", "data_lost", "data_retransmitted"]);

/** A metric of the other direction of the data: a sender's trace holds no
 * data_received, a receiver's no data_sent/acked/lost/retransmitted. Such
 * a metric is not "missing". */
export function otherDirection(d: FlowDetail, metric: string): boolean {
  const sends = (d.metrics.data_sent ?? 0) > 0;
  const receives = (d.metrics.data_received ?? 0) > 0;
  return (metric === "data_received" && sends) || (SENDER_SIDE.has(metric) && receives && !sends);
}

export function countOf(d: FlowDetail, m: MetricDef): number {
  const key = m.countKey ?? m.metric;
  return d.metrics[key] ?? 0;
}

/** Human name of a metric for "no X events" lines. */
export function metricName(m: MetricDef): string {
  return m.countKey === "packet_lost" ? "packet-lost" : m.label.replace(/ \(.*\)$/, "");
}

export interface Built {
  defs: SeriesDef[];
  rows: Rows;
  truncated: string[]; // notes such as "limits of 12 more streams not drawn"
}

/** Turns the fetched series of a panel into uPlot series and rows. Range
 * metrics put every stream's points in one series; per-flow limits get one
 * line per stream (up to perFlow). end and view are in the flow's times;
 * the rows' x are those times plus shift (the view's axis). */
export function buildPanel(
  p: PanelDef,
  fetched: { def: MetricDef; s: Series }[],
  labelOf: (flow: number) => string,
  end: number,
  view: [number, number],
  shift = 0,
): Built {
  const defs: SeriesDef[] = [];
  const rows = new Rows(shift);
  const truncated: string[] = [];
  for (const { def, s } of fetched) {
    const fmt = s.unit === "ns" ? fmtDuration : s.unit === "bytes" || s.kind === "range" ? fmtBytes : p.yFmt;
    const parts = def.perFlow ? s.series.slice(0, def.perFlow) : s.series;
    if (def.perFlow && s.series.length > def.perFlow) {
      truncated.push(`${def.label} of ${s.series.length - def.perFlow} more streams not drawn`);
    }
    const groups = def.perFlow ? parts.map((part) => [part]) : [parts];
    for (const group of groups) {
      const idx = defs.length;
      const label = def.perFlow && parts.length > 1 ? `${def.label} ${labelOf(group[0].flow)}` : def.label;
      defs.push({ label, color: def.color, draw: def.draw, dash: def.dash, size: def.size, width: def.width, fmt, level: def.level, scale: def.scale, fill: def.fill, hollow: def.hollow });
      for (const part of group) {
        for (let i = 0; i < part.t.length; i++) {
          const t = part.t[i];
          const lo = part.min[i];
          const hi = part.max[i];
          if (def.draw === "marker") {
            rows.add(idx, t, def.level ?? 0.95, def.note ? def.note(lo, part.n[i]) : undefined);
          } else if (s.kind === "range") {
            // offset and end of the range (exact), or lowest offset and
            // highest end in the bucket.
            rows.add(idx, t, lo);
            if (hi !== lo) rows.add(idx, t, hi);
          } else {
            rows.add(idx, t, lo);
            if (hi !== lo) rows.add(idx, t + Math.max(1, s.bucket_ns / 2), hi);
          }
        }
        // a limit or window holds until the next change: draw it on to the
        // end (a single MAX_STREAM_DATA would otherwise be an invisible dot),
        // and give it a point at each edge of the view, so that a value set
        // before a zoomed window still scales its axis and shows on hover
        const n = part.t.length;
        if (def.draw === "step" && n > 0) {
          if (part.t[n - 1] < end) rows.add(idx, end, part.max[n - 1]);
          for (const x of view) {
            const i = lastAtOrBefore(part.t, x);
            if (i >= 0 && part.t[i] !== x && x < end) rows.add(idx, x, part.max[i]);
          }
        }
      }
    }
  }
  return { defs, rows, truncated };
}

/** Index of the last t <= x in ascending ts, or -1. */
function lastAtOrBefore(ts: number[], x: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
