// uPlot helpers shared by the flow view's time panels: one x axis in ns
// relative to the flow start, cursor sync across panels, brush zoom (drag),
// pan (shift+drag), and vertical marker lines for overlaid event types.
import uPlot from "uplot";
import { BYTE_INCRS, fmtDuration, ticks } from "./format";

export type Draw = "line" | "step" | "points" | "marker";

const LEFT_AXIS = 84; // px: y axis labels ("1023.9 KiB")
const RIGHT_AXIS = 70; // px: the flow-control limit axis, or an empty gutter

export interface SeriesDef {
  label: string;
  color: string;
  draw: Draw;
  /** y of a marker on the 0..1 marker scale */
  level?: number;
  /** "lim": a second y scale with its own axis on the right */
  scale?: string;
  fill?: string;
  /** points drawn as outlines, so marks below them stay visible */
  hollow?: boolean;
  dash?: number[];
  width?: number;
  size?: number;
  fmt: (v: number) => string;
}

/** Aligned rows built point by point: every row carries one value of one
 * series at its x, the other series are undefined there (uPlot skips them
 * when drawing and when looking for the value to show at the cursor). */
export class Rows {
  /** dx is added to every x (a flow's times onto a shared axis) */
  constructor(private dx = 0) {}
  private xs: number[] = [];
  private ss: number[] = [];
  private ys: number[] = [];
  private notes = new Map<number, string>();
  add(series: number, x: number, y: number, note?: string): void {
    if (note !== undefined) this.notes.set(this.xs.length, note);
    this.xs.push(x + this.dx);
    this.ss.push(series);
    this.ys.push(y);
  }
  get size(): number {
    return this.xs.length;
  }
  /** data for uPlot and the notes (per series, per row) markers show. */
  build(nSeries: number): { data: uPlot.AlignedData; notes: (string | undefined)[][] } {
    const n = this.xs.length;
    const srcX = Float64Array.from(this.xs);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => srcX[a] - srcX[b]);
    const xs = new Float64Array(n);
    const cols: (number | undefined)[][] = [];
    const notes: (string | undefined)[][] = [];
    for (let s = 0; s < nSeries; s++) {
      cols.push(new Array<number | undefined>(n).fill(undefined));
      notes.push([]);
    }
    for (let i = 0; i < n; i++) {
      const j = order[i];
      xs[i] = srcX[j];
      cols[this.ss[j]][i] = this.ys[j];
      const note = this.notes.get(j);
      if (note !== undefined) notes[this.ss[j]][i] = note;
    }
    return { data: [xs as unknown as number[], ...(cols as number[][])], notes };
  }
}

/** Draws a points series as small squares in one path: much cheaper than
 * uPlot's per-point arcs when a panel holds tens of thousands of marks. */
function squares(size: number, hollow: boolean): uPlot.Series.PathBuilder {
  return (u, sidx, i0, i1) => {
    const xs = u.data[0];
    const ys = u.data[sidx];
    const scale = u.series[sidx].scale ?? "y";
    const half = (size * devicePixelRatio) / 2;
    const path = new Path2D();
    const { left, top, width, height } = u.bbox;
    for (let i = i0; i <= i1; i++) {
      const y = ys[i];
      if (y === null || y === undefined) continue;
      const cx = u.valToPos(xs[i], "x", true);
      const cy = u.valToPos(y, scale, true);
      if (cx < left - half || cx > left + width + half || cy < top - half || cy > top + height + half) continue;
      path.rect(cx - half, cy - half, 2 * half, 2 * half);
    }
    return hollow ? { stroke: path } : { fill: path };
  };
}

export interface ChartHost {
  syncKey: string;
  /** the x range every panel shows */
  range(): [number, number];
  /** the user selected [from, to] (drag) */
  zoom(from: number, to: number): void;
  /** live pan by dx ns; done=true on mouse up */
  pan(dx: number, done: boolean): void;
  /** ctrl+wheel: zoom by factor around x (ns) */
  wheel(x: number, factor: number): void;
  reset(): void;
  /** vertical marker lines: x positions with colors */
  markers(): { x: number; color: string }[];
}

export interface ChartSpec {
  series: SeriesDef[];
  yKind: "ns" | "bytes" | "count";
  height: number;
  hasMarkers: boolean;
  yLabels?: string[]; // a lane chart: y = index, labelled
  /** y axis titles with units ("offset (bytes)"); the right one names
   * the "lim" scale */
  yTitle?: string;
  limTitle?: string;
  /** x axis title (default "time since flow start") */
  xTitle?: string;
  /** charts that share their y scales (the same panel of two flows) */
  yLink?: YLink;
}

/** Charts whose y scales ("y" and "lim") take the union of their data in
 * the x range shown, so the same value is at the same height in each. */
export class YLink {
  readonly charts = new Set<TimeChart>();
  /** Re-ranges every chart (after one of them got new data). */
  refresh(): void {
    for (const c of this.charts) c.refreshY();
  }
}

/** [min, max] of the shown series on scale key of u with x in [from, to]. */
function extent(u: uPlot, key: string, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const xs = u.data[0];
  let i0 = 0;
  let hiIdx = xs.length;
  while (i0 < hiIdx) {
    const mid = (i0 + hiIdx) >> 1;
    if (xs[mid] < from) i0 = mid + 1;
    else hiIdx = mid;
  }
  for (let si = 1; si < u.series.length; si++) {
    const s = u.series[si];
    if (s.scale !== key || s.show === false) continue;
    const ys = u.data[si];
    for (let i = i0; i < xs.length && xs[i] <= to; i++) {
      const y = ys[i];
      if (y === null || y === undefined) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  return [lo, hi];
}

// Axis titles take the same room on every chart, so all panels put a
// given time at the same x.
const TITLE = { labelSize: 16, labelFont: "12px system-ui, sans-serif", labelGap: 0 };

export class TimeChart {
  readonly u: uPlot;
  private notes: (string | undefined)[][] = [];
  readonly signature: string;

  constructor(
    readonly el: HTMLElement,
    readonly spec: ChartSpec,
    private host: ChartHost,
    width: number,
  ) {
    this.signature = signatureOf(spec);
    const [from, to] = host.range();
    const series: uPlot.Series[] = [
      { label: "time", value: (_u, v) => (v === null || v === undefined ? "–" : fmtDuration(v)) },
    ];
    spec.series.forEach((d, i) => series.push(this.seriesOpts(d, i + 1)));
    const bytesAxis = (k: string): Partial<uPlot.Axis> => (k === "bytes" ? { incrs: BYTE_INCRS } : {});
    const axes: uPlot.Axis[] = [
      { values: (_u, vals, _a, _s, incr) => ticks("ns", vals, incr), size: 34, space: 80, label: spec.xTitle ?? "time since flow start", ...TITLE },
      {
        scale: "y",
        size: LEFT_AXIS,
        label: spec.yTitle ?? "",
        ...TITLE,
        ...bytesAxis(spec.yKind),
        // lane charts write their names inside the plot (drawLabels)
        values: spec.yLabels ? (_u, vals) => vals.map(() => "") : (_u, vals, _a, _s, incr) => {
          const out = ticks(spec.yKind, vals, incr);
          el.dataset.yTicks = out.join("|"); // what the canvas shows, for tests
          return out;
        },
        ...(spec.yLabels ? { splits: () => spec.yLabels!.map((_, i) => i).filter((i) => i > 0) } : {}),
      },
    ];
    // Every chart keeps the same right gutter, used or not, so that all
    // panels put a given time at the same x.
    const right = spec.series.find((d) => d.scale === "lim");
    if (right) {
      axes.push({ scale: "lim", side: 1, size: RIGHT_AXIS, stroke: right.color, grid: { show: false }, label: spec.limTitle ?? "",
        ...TITLE, incrs: BYTE_INCRS, values: (_u, vals, _a, _s, incr) => ticks("bytes", vals, incr) });
    } else {
      axes.push({ scale: "y", side: 1, size: RIGHT_AXIS, grid: { show: false }, ticks: { show: false }, label: "", ...TITLE,
        values: (_u, vals) => vals.map(() => "") });
    }
    el.dataset.axes = axes.map((a) => a.label ?? "").join("|");
    const scales: uPlot.Scales = {
      x: { time: false, auto: false, min: from, max: to },
      mk: { auto: false, range: [0, 1] },
    };
    if (spec.yLabels) scales.y = { auto: false, range: [0, spec.yLabels.length] };
    else if (spec.yLink) {
      for (const k of ["y", "lim"]) scales[k] = { range: (u, lo, hi) => this.linkedRange(u, k, lo, hi) };
    }
    const opts: uPlot.Options = {
      width,
      height: spec.height,
      series,
      axes,
      scales,
      cursor: {
        sync: { key: host.syncKey, setSeries: false },
        drag: { x: true, y: false, setScale: false, dist: 4 },
        bind: {
          dblclick: () => () => {
            this.host.reset();
            return null;
          },
        },
        points: { size: 7 },
        dataIdx: (u, si, ci, xv) => hoverIdx(u, spec.series[si - 1], si, ci, xv),
      },
      legend: { live: true },
      hooks: {
        setSelect: [(u) => this.onSelect(u)],
        draw: [(u) => this.drawMarkers(u)],
        // the ranges the chart really shows, for tests (the canvas is opaque)
        setScale: [(u, key) => {
          if (key === "x" || key === "y") el.dataset[key === "x" ? "xRange" : "yRange"] = `${u.scales[key].min},${u.scales[key].max}`;
        }],
      },
    };
    this.u = new uPlot(opts, [[], ...spec.series.map(() => [])] as uPlot.AlignedData, el);
    if (spec.yLink && !spec.yLabels) spec.yLink.charts.add(this);
    this.bindPan();
  }

  private seriesOpts(d: SeriesDef, idx: number): uPlot.Series {
    const value = (_u: uPlot, v: number | null, _s: number, di: number | null): string => {
      if (v === null || v === undefined) return "–";
      const note = di === null ? undefined : this.notes[idx - 1]?.[di];
      return note ?? d.fmt(v);
    };
    const base: uPlot.Series = { scale: d.scale ?? "y", label: d.label, stroke: d.color, width: d.width ?? 1.5, value, dash: d.dash };
    switch (d.draw) {
      case "line":
        return { ...base, spanGaps: true, fill: d.fill, points: { show: false } };
      case "step":
        return { ...base, spanGaps: true, fill: d.fill, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } };
      case "points":
      case "marker":
        return {
          ...base,
          scale: d.draw === "marker" ? "mk" : (d.scale ?? "y"),
          width: d.hollow ? 1.5 : 0,
          fill: d.hollow ? undefined : d.color,
          paths: squares(d.size ?? 3, d.hollow ?? false),
          points: { show: false },
        };
    }
  }

  setData(data: uPlot.AlignedData, notes: (string | undefined)[][]): void {
    this.notes = notes;
    const [from, to] = this.host.range();
    this.u.batch(() => {
      this.u.setData(data, false);
      this.u.setScale("x", { min: from, max: to });
    });
  }

  setRange(from: number, to: number): void {
    this.u.setScale("x", { min: from, max: to });
  }

  /** Ranges the y scales again (a linked chart got new data). */
  refreshY(): void {
    const [from, to] = this.host.range();
    this.u.batch(() => this.u.setScale("x", { min: from, max: to }));
  }

  /** A y range covering this chart's data (lo..hi, as uPlot found it) and
   * that of the linked charts in the same x range, padded as uPlot does. */
  private linkedRange(_u: uPlot, key: string, lo: number | null, hi: number | null): uPlot.Range.MinMax {
    let a = lo ?? Infinity;
    let b = hi ?? -Infinity;
    const [from, to] = this.host.range();
    for (const c of this.spec.yLink?.charts ?? []) {
      if (c === this) continue;
      const [x, y] = extent(c.u, key, from, to);
      a = Math.min(a, x);
      b = Math.max(b, y);
    }
    if (!(a <= b)) return [null, null] as unknown as uPlot.Range.MinMax;
    return uPlot.rangeNum(a, b, 0.1, true);
  }

  setWidth(width: number): void {
    this.u.setSize({ width, height: this.spec.height });
  }

  /** Width of the plotting area in CSS pixels. */
  plotWidth(): number {
    return Math.max(50, Math.round(this.u.bbox.width / devicePixelRatio));
  }

  destroy(): void {
    this.spec.yLink?.charts.delete(this);
    this.u.destroy();
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width < 4) return;
    const from = u.posToVal(left, "x");
    const to = u.posToVal(left + width, "x");
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.host.zoom(from, to);
  }

  private drawLabels(u: uPlot): void {
    const labels = this.spec.yLabels;
    if (!labels) return;
    const { ctx, bbox } = u;
    ctx.save();
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.fillStyle = "#4a5568";
    ctx.textBaseline = "bottom";
    labels.forEach((l, i) => {
      if (i > 0) ctx.fillText(l, bbox.left + 4 * devicePixelRatio, u.valToPos(i, "y", true) - 5 * devicePixelRatio);
    });
    ctx.restore();
  }

  private drawMarkers(u: uPlot): void {
    this.drawLabels(u);
    if (!this.spec.hasMarkers) return;
    const ms = this.host.markers();
    if (!ms.length) return;
    const { ctx, bbox } = u;
    ctx.save();
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.35;
    for (const m of ms) {
      const x = Math.round(u.valToPos(m.x, "x", true)) + 0.5;
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.strokeStyle = m.color;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Shift+drag pans: handled before uPlot sees the mouse, so no brush.
   * Ctrl+wheel zooms around the pointer (plain wheel scrolls the page). */
  private bindPan(): void {
    const over = this.u.over;
    over.addEventListener("wheel", (e: WheelEvent) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      const x = this.u.posToVal(e.clientX - over.getBoundingClientRect().left, "x");
      this.host.wheel(x, e.deltaY > 0 ? 1.25 : 0.8);
    }, { passive: false });
    over.parentElement!.addEventListener(
      "mousedown",
      (e: MouseEvent) => {
        if (!e.shiftKey || e.button !== 0) return;
        e.stopPropagation();
        e.preventDefault();
        const x0 = e.clientX;
        const [from, to] = this.host.range();
        const nsPerPx = (to - from) / Math.max(1, over.clientWidth);
        let last = 0;
        const move = (ev: MouseEvent): void => {
          const dx = -(ev.clientX - x0) * nsPerPx;
          this.host.pan(dx - last, false);
          last = dx;
        };
        const up = (): void => {
          window.removeEventListener("mousemove", move);
          window.removeEventListener("mouseup", up);
          this.host.pan(0, true);
        };
        window.addEventListener("mousemove", move);
        window.addEventListener("mouseup", up);
      },
      true,
    );
  }
}

/** The row whose value the legend shows for series si at x = xv: a step
 * line shows the value in force (last at or before the pointer), a line
 * the nearest value, points and markers only one near the pointer. Rows where the
 * series has no value are skipped. */
function hoverIdx(u: uPlot, d: SeriesDef | undefined, si: number, ci: number, xv: number): number | null {
  if (!d) return ci; // the x series
  const xs = u.data[0];
  const ys = u.data[si];
  const has = (i: number): boolean => ys[i] !== undefined && ys[i] !== null;
  if (d.draw === "step") {
    let i = Math.min(ci, xs.length - 1);
    while (i >= 0 && (!has(i) || xs[i] > xv)) i--;
    return i >= 0 ? i : null;
  }
  let lo = ci;
  let hi = ci;
  while (lo >= 0 && !has(lo)) lo--;
  while (hi < xs.length && !has(hi)) hi++;
  const best = lo < 0 ? (hi < xs.length ? hi : -1) : hi >= xs.length ? lo : xv - xs[lo] <= xs[hi] - xv ? lo : hi;
  if (best < 0) return null;
  if (d.draw !== "line" && Math.abs(u.valToPos(xs[best], "x") - u.valToPos(xv, "x")) > 24) return null;
  return best;
}

export function signatureOf(spec: ChartSpec): string {
  return spec.series.map((s) => `${s.label}/${s.draw}`).join("|") + "#" + (spec.yLabels ?? []).join(",") + "#" + (spec.xTitle ?? "");
}

export const COLORS = {
  sent: "#2f6fde",
  acked: "#2e9d4a",
  lost: "#d32f2f",
  retrans: "#ef8c00",
  received: "#8e44ad",
  limit: "#17202e",
  limit2: "#7b8494",
  cwnd: "#2f6fde",
  ssthresh: "#8e44ad",
  inflight: "#ef8c00",
  rtt: "#7b8494",
  srtt: "#2f6fde",
  minrtt: "#2e9d4a",
  recovery: "#00897b", // not the orange of bytes in flight
};

const OVERLAY_PALETTE = ["#c2185b", "#00897b", "#5e35b1", "#6d4c41", "#f4511e", "#3949ab", "#7cb342", "#00acc1"];
export function overlayColor(i: number): string {
  return OVERLAY_PALETTE[i % OVERLAY_PALETTE.length];
}
