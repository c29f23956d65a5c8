// One flow's time panels (offsets and flow control, congestion, RTT) and
// stream lanes: which metrics the flow holds, fetching them at the charts'
// pixel width for a range, drawing them, and saying what is missing. The
// flow view shows one FlowPanels, the compare view two on one time axis.
//
// The charts' x axis is the view's: a flow's own times (ns since its
// base_ns) plus `shift` (0 in the flow view; in the compare view the offset
// that aligns the two flows).
import { api, FlowDetail, Series } from "./api";
import { ChartHost, ChartSpec, signatureOf, TimeChart, YLink } from "./charts";
import { h, replace } from "./dom";
import { fmtCount, fmtDuration, shortLabel } from "./format";
import { buildLanes, drawLanes, Lane } from "./lanes";
import { buildPanel, countOf, MetricDef, metricName, otherDirection, PanelDef, PANELS } from "./panels";
import { flowHref } from "./url";

const WHOLE_POINTS = 5000; // step series this sparse are fetched whole

export interface PanelState {
  def: PanelDef;
  body: HTMLElement;
  note: HTMLElement;
  chart: TimeChart | null;
  present: MetricDef[];
}

export interface PanelsOptions {
  /** appended to element ids ("" in the flow view, "-a"/"-b" to compare) */
  idSuffix?: string;
  /** chart heights relative to the panel's own */
  heightScale?: number;
  xTitle?: string;
  /** per panel id: y scales shared with the other flow's same panel */
  yLinks?: Map<string, YLink>;
}

/** Series fetched for one range, ready to draw. */
export interface Loaded {
  results: { p: PanelState; fetched: { def: MetricDef; s: Series }[] }[];
}

export class FlowPanels {
  readonly panels: PanelState[];
  readonly lanesEl: HTMLElement;
  private lanes: Lane[] = [];
  /** the flow's whole span, in its own times */
  full: [number, number];

  constructor(
    public d: FlowDetail,
    private host: ChartHost,
    /** added to the flow's times to put them on the view's axis */
    public shift: number,
    private opts: PanelsOptions = {},
  ) {
    const sfx = opts.idSuffix ?? "";
    this.panels = PANELS.map((def) => ({
      def, body: h("div", { class: "panel", id: `panel-${def.id}${sfx}` }), note: h("div", { class: "muted" }), chart: null, present: [],
    }));
    this.lanesEl = h("div", { class: "lanes", id: `lanes${sfx}` });
    this.full = fullRange(d);
    this.syncPresent();
  }

  /** New flow detail (live updates). */
  setDetail(d: FlowDetail): void {
    this.d = d;
    this.full = fullRange(d);
    this.syncPresent();
  }

  setOptions(o: Partial<PanelsOptions>): void {
    this.opts = { ...this.opts, ...o };
  }

  private syncPresent(): void {
    for (const p of this.panels) p.present = p.def.metrics.filter((m) => countOf(this.d, m) > 0);
  }

  charts(): TimeChart[] {
    return this.panels.flatMap((p) => (p.chart ? [p.chart] : []));
  }

  setRange(from: number, to: number): void {
    for (const c of this.charts()) c.setRange(from, to);
  }

  setWidth(w: number): void {
    for (const c of this.charts()) c.setWidth(w);
  }

  /** Redraws without new data (new guide lines). */
  redraw(): void {
    for (const c of this.charts()) c.u.redraw(false);
  }

  destroy(): void {
    for (const c of this.charts()) c.destroy();
  }

  chartWidth(): number {
    return Math.max(300, this.panels[0]?.body.clientWidth ?? 800);
  }

  plotWidth(): number {
    return this.charts()[0]?.plotWidth() ?? Math.max(100, this.chartWidth() - 90);
  }

  /** "stream 4" for a stream of this flow, else "#key". */
  shortName(key: number): string {
    const f = this.d.streams.find((x) => x.key === key) ?? (this.d.flow.key === key ? this.d.flow : undefined);
    return f ? shortLabel(f.label, f.flow_id) : `#${key}`;
  }

  /** Fetches every present metric for view (the view's axis) at plotW
   * pixels. A step line (a limit, cwnd) needs the value in force at the
   * window's left edge, set before it: sparse ones are fetched whole. */
  async load(view: [number, number], plotW: number, signal: AbortSignal): Promise<Loaded> {
    const d = this.d;
    const from = view[0] - this.shift;
    const to = view[1] - this.shift;
    const nStreams = Math.max(1, d.flow.kind === "connection" ? d.flow.streams : 1);
    const get = (metric: string, perStream: boolean, whole: boolean): Promise<Series> =>
      api.series(d.flow.key, whole ? { metric, points: WHOLE_POINTS } : {
        metric, from: Math.floor(from), to: Math.ceil(to),
        points: perStream ? Math.max(64, Math.min(plotW, Math.floor((plotW * 4) / nStreams))) : plotW,
      }, signal);
    const whole = (def: MetricDef): boolean => def.draw === "step" && countOf(d, def) <= WHOLE_POINTS;
    const results = await Promise.all(this.panels.map(async (p) => ({
      p,
      fetched: await Promise.all(p.present.map(async (def) => ({
        def, s: await get(def.metric, def.metric.startsWith("data_") || def.metric === "max_stream_data", whole(def)),
      }))),
    })));
    return { results };
  }

  draw(loaded: Loaded, view: [number, number], width: number): void {
    for (const { p, fetched } of loaded.results) this.drawPanel(p, fetched, view, width);
  }

  showError(msg: string): void {
    for (const p of this.panels) replace(p.note, h("div", { class: "banner error" }, msg));
  }

  private drawPanel(p: PanelState, fetched: { def: MetricDef; s: Series }[], view: [number, number], width: number): void {
    const d = this.d;
    const absent = p.def.metrics.filter((m) => countOf(d, m) === 0 && !otherDirection(d, m.metric));
    const names = [...new Set(absent.map(metricName))];
    if (!p.present.length) {
      p.chart?.destroy();
      p.chart = null;
      const where = d.flow.kind === "stream" && d.parent && p.def.id !== "offsets"
        ? h("span", {}, " Congestion control and RTT are usually recorded on the connection: ", h("a", { href: flowHref(d.parent.key) }, "open its connection"), ".")
        : null;
      replace(p.body, h("div", { class: "missing", "data-missing": p.def.id }, `No ${p.def.about} in this flow.`, where));
      replace(p.note);
      return;
    }
    const from = view[0] - this.shift;
    const to = view[1] - this.shift;
    const b = buildPanel(p.def, fetched, (k) => this.shortName(k), this.full[1], [from, to], this.shift);
    const spec: ChartSpec = {
      series: b.defs, yKind: p.def.yKind, height: Math.round(p.def.height * (this.opts.heightScale ?? 1)), hasMarkers: true,
      yTitle: p.def.yTitle, limTitle: p.def.limTitle, xTitle: this.opts.xTitle, yLink: this.opts.yLinks?.get(p.def.id),
    };
    ensureChart(p, spec, this.host, width);
    const built = b.rows.build(b.defs.length);
    p.chart!.setData(built.data, built.notes);
    p.body.dataset.points = String(b.rows.size);
    const inView = (s: Series): number => (s.from >= from && s.to <= to) || s.from > to || s.to < from ? s.count
      : s.series.reduce((a, part) => a + part.t.reduce((c, t, i) => c + (t >= from && t <= to ? part.n[i] : 0), 0), 0);
    const counts = fetched.map(({ def, s }) => `${def.label}: ${fmtCount(inView(s))}${s.exact ? "" : ` (buckets of ${fmtDuration(s.bucket_ns)})`}`);
    const empty = fetched.filter(({ s }) => s.count === 0).map(({ def }) => def.label);
    replace(p.note,
      h("span", {}, `events in range — ${counts.join(" · ")}`),
      names.length ? h("div", { "data-absent": names.join(",") }, `Not in this flow: no ${names.join(", no ")} events.`) : null,
      empty.length === fetched.length ? h("div", {}, "Nothing in the selected range: zoom out or pan.") : null,
      b.truncated.length ? h("div", {}, b.truncated.join("; ")) : null,
      p.def.id === "offsets" && d.flow.kind === "connection" && d.streams.length > 1
        ? h("div", { class: "hint" }, `The offsets of all ${d.streams.length} streams share this chart (each stream counts from 0): click a lane under Streams to see one stream alone.`)
        : null);
  }

  // ---- stream lanes ----
  async loadLanes(): Promise<void> {
    const d = this.d;
    if (d.flow.kind === "connection" && d.streams.length === 0) {
      this.lanes = [];
      return;
    }
    const evs = await api.events(d.flow.key, { types: "16,18,19,20", include_children: d.flow.kind === "connection", limit: 10000 })
      .then((r) => r.events).catch(() => []);
    this.lanes = buildLanes(d, evs);
  }

  drawLanes(view: [number, number]): void {
    const d = this.d;
    if (!this.lanes.length) {
      replace(this.lanesEl, h("div", { class: "missing", "data-missing": "streams" },
        d.flow.kind === "connection" ? "No streams are linked to this connection (no stream_link events)." : "No stream lifecycle in this flow."));
      return;
    }
    const c = this.charts()[0];
    const left = c ? Math.round(c.u.bbox.left / devicePixelRatio) : 80;
    const w = c ? c.plotWidth() : this.chartWidth() - 90;
    drawLanes(this.lanesEl, this.lanes, view[0] - this.shift, view[1] - this.shift, left, w);
  }
}

/** Keeps p's chart if it draws the same series, else builds a new one. */
export function ensureChart(p: PanelState, spec: ChartSpec, host: ChartHost, width: number): void {
  if (p.chart && p.chart.signature === signatureOf(spec) && p.chart.spec.yLink === spec.yLink) return;
  p.chart?.destroy();
  replace(p.body);
  p.chart = new TimeChart(p.body, spec, host, width);
}

const MIN_SPAN_NS = 1_000_000;

/** The whole span of a flow and its streams, in ns relative to base_ns. */
export function fullRange(d: FlowDetail): [number, number] {
  let lo = 0;
  let hi = Math.max(1, d.flow.duration_ns);
  for (const s of d.streams) {
    const a = Number(BigInt(s.first_ns) - BigInt(d.base_ns));
    const b = Number(BigInt(s.last_ns) - BigInt(d.base_ns));
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  // a little room so the first and last events are not on the frame, and
  // at least 1 ms in all (a stream of one instant would span "-1 ns..2 ns")
  const pad = Math.max(1, Math.round((hi - lo) * 0.01), Math.ceil((MIN_SPAN_NS - (hi - lo)) / 2));
  return [lo - pad, hi + pad];
}
