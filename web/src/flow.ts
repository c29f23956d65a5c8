// The flow view: every panel on one time axis (ns since the flow start),
// brush zoom and pan shared by all, the range kept in the URL, series
// fetched at the charts' pixel width and refetched on zoom.
import { api, FlowDetail, Series, TypeCount } from "./api";
import { ChartHost, ChartSpec, overlayColor, signatureOf, TimeChart } from "./charts";
import { h, replace } from "./dom";
import { EventsTable } from "./events_table";
import { fmtCount, fmtDuration, shortLabel } from "./format";
import { qlogUnavailable, renderExport, renderFlowHeader } from "./flow_header";
import { buildLanes, drawLanes, laneLegend, Lane } from "./lanes";
import { onLive, throttled } from "./live";
import { buildOverlays, Overlays } from "./overlays";
import { buildPanel, countOf, MetricDef, metricName, otherDirection, PanelDef, PANELS } from "./panels";
import { flowHref, intParam, Route, updateParams } from "./url";

const MIN_SPAN = 1000; // ns: zooming further shows nothing useful
const WHOLE_POINTS = 5000; // step series this sparse are fetched whole

interface PanelState {
  def: PanelDef;
  body: HTMLElement;
  note: HTMLElement;
  chart: TimeChart | null;
  present: MetricDef[];
}

export interface FlowView {
  update(r: Route): void;
  destroy(): void;
}

export function showFlow(root: HTMLElement, key: string, route: Route): FlowView {
  const v = new FlowViewImpl(root, key);
  void v.start(route);
  return v;
}

class FlowViewImpl implements FlowView, ChartHost {
  readonly syncKey = "flow";
  private d: FlowDetail | null = null;
  private full: [number, number] = [0, 1];
  private view: [number, number] = [0, 1];
  private panels: PanelState[] = [];
  private overlayTypes: number[] = [];
  private overlayPts: { x: number; color: string }[] = [];
  private overlayPanel: PanelState | null = null;
  private lanes: Lane[] = [];
  private lanesEl = h("div", { class: "lanes", id: "lanes" });
  private events: EventsTable | null = null;
  private rangeText = h("span", { class: "range", id: "range" });
  private exportBox = h("span", { class: "toolbar" });
  private fetchAbort: AbortController | null = null;
  private fetchSeq = 0;
  private offLive: () => void = () => undefined;
  private resizeObs: ResizeObserver | null = null;
  private types: TypeCount[] = [];

  constructor(
    private root: HTMLElement,
    private key: string,
  ) {}

  async start(route: Route): Promise<void> {
    replace(this.root, h("p", { class: "muted" }, "Loading flow…"));
    let d: FlowDetail;
    const types = api.types({ flow: this.key }).catch(() => null);
    try {
      d = await api.flow(this.key);
    } catch (e) {
      if (this.dead) return;
      replace(this.root, h("div", { class: "banner error" }, `Cannot show flow ${this.key}: ${(e as Error).message}`),
        h("p", {}, h("a", { href: "#/" }, "← back to the dashboard")));
      return;
    }
    this.d = d;
    this.types = (await types) ?? d.types;
    if (this.dead) return; // the user went elsewhere meanwhile
    this.full = fullRange(d);
    this.readRoute(route);
    this.layout();
    this.offLive = onLive((c) => {
      if (this.d && (c.updated_traces.includes(this.d.flow.trace_id) || c.new_traces.includes(this.d.flow.trace_id))) this.liveRefresh();
    });
    await Promise.all([this.refetch(), this.loadLanes(), this.probeQlog()]);
  }

  private liveRefresh = throttled(async () => {
    const d = await api.flow(this.key);
    if (this.dead) return;
    const zoomed = this.isZoomed();
    this.d = d;
    this.full = fullRange(d);
    if (!zoomed) this.view = [...this.full];
    this.drawHeader();
    this.types = await api.types({ flow: d.flow.key }).catch(() => d.types);
    this.events?.setTypes(this.types);
    this.syncPresent();
    this.applyRange();
    await Promise.all([this.refetch(), this.loadLanes()]);
  }, 1000);

  update(r: Route): void {
    const before = this.view.join();
    const ov = this.overlayTypes.join();
    this.readRoute(r);
    if (this.view.join() !== before || this.overlayTypes.join() !== ov) {
      this.drawOverlayChips();
      this.applyRange();
      void this.refetch();
    }
  }

  private dead = false;
  destroy(): void {
    this.dead = true;
    clearTimeout(this.wheelTimer);
    this.offLive();
    this.fetchAbort?.abort();
    this.resizeObs?.disconnect();
    for (const p of this.allPanels()) p.chart?.destroy();
  }

  // ---- ChartHost ----
  range(): [number, number] {
    return this.view;
  }
  zoom(from: number, to: number): void {
    this.setView(from, to, true);
  }
  pan(dx: number, done: boolean): void {
    if (!done) {
      const span = this.view[1] - this.view[0];
      let from = this.view[0] + dx;
      from = Math.min(Math.max(from, this.full[0] - span / 2), this.full[1] - span / 2);
      this.view = [from, from + span];
      for (const p of this.allPanels()) p.chart?.setRange(this.view[0], this.view[1]);
      this.drawRangeText();
      return;
    }
    this.setView(this.view[0], this.view[1], true); // one history entry per drag
  }
  reset(): void {
    this.setView(this.full[0], this.full[1], true);
  }
  private wheelTimer = 0;
  wheel(x: number, factor: number): void {
    const [a, b] = this.view;
    const from = Math.max(this.full[0], x - (x - a) * factor);
    const to = Math.min(this.full[1], x + (b - x) * factor);
    if (to - from < MIN_SPAN) return;
    this.view = [from, to];
    for (const p of this.allPanels()) p.chart?.setRange(from, to);
    this.drawRangeText();
    // fetch and record in the URL once the wheel rests
    clearTimeout(this.wheelTimer);
    this.wheelTimer = window.setTimeout(() => this.setView(this.view[0], this.view[1], false), 250);
  }
  markers(): { x: number; color: string }[] {
    return this.overlayPts;
  }

  // ---- range ----
  private isZoomed(): boolean {
    return this.view[0] > this.full[0] || this.view[1] < this.full[1];
  }

  private readRoute(r: Route): void {
    const from = intParam(r.params, "from", NaN);
    const to = intParam(r.params, "to", NaN);
    this.view = isFinite(from) && isFinite(to) && to > from ? [from, to] : [...this.full];
    this.overlayTypes = (r.params.get("overlay") ?? "").split(",").filter((s) => /^\d+$/.test(s)).map(Number).slice(0, 8);
  }

  private setView(from: number, to: number, push: boolean): void {
    if (to - from < MIN_SPAN) {
      const mid = (from + to) / 2;
      from = mid - MIN_SPAN / 2;
      to = mid + MIN_SPAN / 2;
    }
    this.view = [Math.floor(from), Math.ceil(to)];
    const isFull = this.view[0] <= this.full[0] && this.view[1] >= this.full[1];
    updateParams({ from: isFull ? null : this.view[0], to: isFull ? null : this.view[1] }, push);
    this.applyRange();
    void this.refetch();
  }

  private applyRange(): void {
    for (const p of this.allPanels()) p.chart?.setRange(this.view[0], this.view[1]);
    this.drawRangeText();
    this.drawLanes();
    this.events?.setRange(this.view[0], this.view[1]);
    this.drawExport();
  }

  private drawRangeText(): void {
    const [a, b] = this.view;
    this.rangeText.textContent = `${fmtDuration(a)} – ${fmtDuration(b)} (${fmtDuration(b - a)}${this.isZoomed() ? ` of ${fmtDuration(this.full[1] - this.full[0])}` : ", whole flow"})`;
    this.root.dataset.from = String(a);
    this.root.dataset.to = String(b);
  }

  // ---- layout ----
  private allPanels(): PanelState[] {
    return this.overlayPanel ? [...this.panels, this.overlayPanel] : this.panels;
  }

  private layout(): void {
    const d = this.d!;
    const header = h("section", { class: "card", id: "flow-head" });
    this.panels = PANELS.map((def) => ({
      def, body: h("div", { class: "panel", id: `panel-${def.id}` }), note: h("div", { class: "muted" }), chart: null, present: [],
    }));
    this.syncPresent();
    const overlaySel = h("select", { id: "overlay-add" }, h("option", { value: "" }, "overlay an event type…"),
      ...this.types.filter((t) => t.count > 0).map((t) => h("option", { value: t.type }, `${t.name} (${fmtCount(t.count)})`)));
    overlaySel.addEventListener("change", () => {
      const t = Number(overlaySel.value);
      overlaySel.value = "";
      if (!t || this.overlayTypes.includes(t)) return;
      this.setOverlays([...this.overlayTypes, t]);
    });
    const btn = (label: string, title: string, fn: () => void, id: string): HTMLElement =>
      h("button", { title, onclick: fn, id }, label);
    const controls = h("div", { class: "toolbar" },
      btn("◀", "pan left", () => this.panBy(-0.5), "pan-left"),
      btn("▶", "pan right", () => this.panBy(0.5), "pan-right"),
      btn("−", "zoom out", () => this.zoomBy(2), "zoom-out"),
      btn("+", "zoom in", () => this.zoomBy(0.5), "zoom-in"),
      btn("whole flow", "reset zoom (or double-click a chart)", () => this.reset(), "zoom-reset"),
      this.rangeText,
      h("span", { class: "muted" }, "drag on a chart to zoom, shift+drag to pan, ctrl+wheel to zoom, double-click for the whole flow"),
      h("span", { style: "flex:1" }),
      overlaySel,
      this.exportBox);
    this.overlayChips = h("div", { class: "toolbar", id: "overlays" });
    this.events = new EventsTable(d.flow.key, d.flow.kind === "connection", this.types, (k) => this.shortName(k));
    this.header = header;
    replace(this.root,
      header,
      h("section", { class: "card controls", style: "position:sticky;top:0;z-index:5" }, controls, this.overlayChips),
      ...this.panels.map((p) => h("section", { class: "card" }, h("h2", {}, p.def.title), p.body, p.note)),
      this.overlayCard = h("section", { class: "card", id: "panel-overlay-card", style: "display:none" },
        h("h2", {}, "Overlaid events", h("span", { class: "muted" }, "also drawn as lines on every chart")), this.overlayBody, this.overlayNote),
      h("section", { class: "card", id: "panel-streams" }, h("h2", {}, "Streams",
        laneLegend()), this.lanesEl),
      h("section", { class: "card" }, h("h2", {}, "Events"), this.events.el));
    this.drawHeader();
    this.drawOverlayChips();
    this.applyRange();
    this.lastWidth = this.chartWidth();
    this.resizeObs = new ResizeObserver(() => this.onResize());
    this.resizeObs.observe(this.root);
  }

  private header: HTMLElement | null = null;
  private overlayChips: HTMLElement = h("div");
  private overlayCard: HTMLElement = h("div");
  private overlayBody = h("div", { class: "panel", id: "panel-overlay" });
  private overlayNote = h("div", { class: "muted" });
  private lastWidth = 0;

  private onResize(): void {
    const w = this.chartWidth();
    if (Math.abs(w - this.lastWidth) < 8) return;
    this.lastWidth = w;
    for (const p of this.allPanels()) p.chart?.setWidth(w);
    this.drawLanes();
    void this.refetch();
  }

  private chartWidth(): number {
    return Math.max(300, (this.panels[0]?.body.clientWidth ?? 800));
  }

  private syncPresent(): void {
    for (const p of this.panels) p.present = p.def.metrics.filter((m) => countOf(this.d!, m) > 0);
  }

  private drawHeader(): void {
    renderFlowHeader(this.header!, this.d!);
  }

  private drawExport(): void {
    if (!this.d) return;
    renderExport(this.exportBox, this.d, this.isZoomed() ? this.view : null, this.qlogOff);
  }

  private async probeQlog(): Promise<void> {
    this.qlogOff = await qlogUnavailable(this.d!.flow.key);
    this.drawExport();
  }
  private qlogOff = "";

  private panBy(frac: number): void {
    const span = this.view[1] - this.view[0];
    this.setView(this.view[0] + span * frac, this.view[1] + span * frac, true);
  }

  private zoomBy(factor: number): void {
    const mid = (this.view[0] + this.view[1]) / 2;
    const half = ((this.view[1] - this.view[0]) * factor) / 2;
    this.setView(Math.max(this.full[0], mid - half), Math.min(this.full[1], mid + half), true);
  }

  // ---- overlays ----
  private setOverlays(types: number[]): void {
    this.overlayTypes = types;
    updateParams({ overlay: types.join(",") || null });
    this.drawOverlayChips();
    void this.refetch();
  }

  private drawOverlayChips(): void {
    replace(this.overlayChips, ...this.overlayTypes.map((t, i) => h("span", { class: "chip", style: `border-left:4px solid ${overlayColor(i)}` },
      this.typeName(t) + " ", h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); this.setOverlays(this.overlayTypes.filter((x) => x !== t)); } }, "✕"))));
    this.overlayCard.style.display = this.overlayTypes.length ? "" : "none";
  }

  /** "stream 4" for a stream of this view, else "#key". */
  private shortName(key: number): string {
    const f = this.d?.streams.find((x) => x.key === key) ?? (this.d?.flow.key === key ? this.d.flow : undefined);
    return f ? shortLabel(f.label, f.flow_id) : `#${key}`;
  }

  private typeName(t: number): string {
    return this.types.find((x) => x.type === t)?.name ?? `type ${t}`;
  }

  // ---- data ----
  private async refetch(): Promise<void> {
    if (!this.d) return;
    this.fetchAbort?.abort();
    const abort = new AbortController();
    this.fetchAbort = abort;
    const seq = ++this.fetchSeq;
    this.root.dataset.ready = "0";
    const [from, to] = this.view;
    const width = this.chartWidth();
    const plotW = this.panels.find((p) => p.chart)?.chart?.plotWidth() ?? Math.max(100, width - 90);
    const nStreams = Math.max(1, this.d.flow.kind === "connection" ? this.d.flow.streams : 1);
    const get = (metric: string, perStream: boolean, whole = false): Promise<Series> =>
      api.series(this.d!.flow.key, whole ? { metric, points: WHOLE_POINTS } : {
        metric, from, to,
        points: perStream ? Math.max(64, Math.min(plotW, Math.floor((plotW * 4) / nStreams))) : plotW,
      }, abort.signal);
    // A step line (a limit, cwnd) needs the value in force at the window's
    // left edge, set before it: sparse ones are fetched whole and exact.
    const whole = (def: MetricDef): boolean => def.draw === "step" && countOf(this.d!, def) <= WHOLE_POINTS;
    try {
      const work = this.panels.map(async (p) => {
        const fetched = await Promise.all(p.present.map(async (def) => ({
          def, s: await get(def.metric, def.metric.startsWith("data_") || def.metric === "max_stream_data", whole(def)),
        })));
        return { p, fetched };
      });
      const [results, ovs] = await Promise.all([
        Promise.all(work),
        Promise.all(this.overlayTypes.map((t) => get(`type:${t}`, false))),
      ]);
      if (seq !== this.fetchSeq || this.dead) return;
      const ov = buildOverlays(ovs, this.overlayTypes.map((t) => this.typeName(t)));
      this.overlayPts = ov.guides;
      for (const { p, fetched } of results) this.drawPanel(p, fetched, width);
      this.drawOverlayPanel(ov, width);
      // "ready" once the browser has painted the new charts
      requestAnimationFrame(() => setTimeout(() => {
        if (seq === this.fetchSeq) this.root.dataset.ready = "1";
      }));
    } catch (e) {
      if ((e as Error).name === "AbortError" || seq !== this.fetchSeq) return;
      for (const p of this.panels) replace(p.note, h("div", { class: "banner error" }, `Could not load series: ${(e as Error).message}`));
      this.root.dataset.ready = "error";
    }
  }

  private drawPanel(p: PanelState, fetched: { def: MetricDef; s: Series }[], width: number): void {
    const d = this.d!;
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
    const b = buildPanel(p.def, fetched, (k) => this.shortName(k), this.full[1], this.view);
    const spec: ChartSpec = { series: b.defs, yKind: p.def.yKind, height: p.def.height, hasMarkers: true, yTitle: p.def.yTitle, limTitle: p.def.limTitle };
    this.ensureChart(p, spec, width);
    const built = b.rows.build(b.defs.length);
    p.chart!.setData(built.data, built.notes);
    const [from, to] = this.view;
    const inView = (s: Series): number => (s.from >= from && s.to <= to) || s.from > to || s.to < from ? s.count
      : s.series.reduce((a, part) => a + part.t.reduce((b, t, i) => b + (t >= from && t <= to ? part.n[i] : 0), 0), 0);
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

  private ensureChart(p: PanelState, spec: ChartSpec, width: number): void {
    if (p.chart && p.chart.signature === signatureOf(spec)) return;
    p.chart?.destroy();
    replace(p.body);
    p.chart = new TimeChart(p.body, spec, this, width);
  }

  private drawOverlayPanel(ov: Overlays, width: number): void {
    if (!this.overlayTypes.length) {
      this.overlayPanel?.chart?.destroy();
      this.overlayPanel = null;
      replace(this.overlayBody);
      for (const p of this.panels) p.chart?.u.redraw(false);
      return;
    }
    if (!this.overlayPanel) {
      this.overlayPanel = { def: PANELS[0], body: this.overlayBody, note: this.overlayNote, chart: null, present: [] };
    }
    this.ensureChart(this.overlayPanel, ov.spec, width);
    const built = ov.rows.build(ov.spec.series.length);
    this.overlayPanel.chart!.setData(built.data, built.notes);
    replace(this.overlayPanel.note, ov.dense.length
      ? `Too many ${ov.dense.join(", ")} events in this range to draw as lines on every chart: zoom in to see them there.` : "");
    for (const p of this.panels) p.chart?.u.redraw(false); // new guide lines
  }

  private async loadLanes(): Promise<void> {
    const d = this.d!;
    if (d.flow.kind === "connection" && d.streams.length === 0) {
      this.lanes = [];
      this.drawLanes();
      return;
    }
    const evs = await api.events(d.flow.key, { types: "16,18,19,20", include_children: d.flow.kind === "connection", limit: 10000 })
      .then((r) => r.events).catch(() => []);
    this.lanes = buildLanes(d, evs);
    this.drawLanes();
  }

  private drawLanes(): void {
    const d = this.d;
    if (!d) return;
    if (!this.lanes.length) {
      replace(this.lanesEl, h("div", { class: "missing", "data-missing": "streams" },
        d.flow.kind === "connection" ? "No streams are linked to this connection (no stream_link events)." : "No stream lifecycle in this flow."));
      return;
    }
    const c = this.panels.find((p) => p.chart)?.chart;
    const left = c ? Math.round(c.u.bbox.left / devicePixelRatio) : 80;
    const w = c ? c.plotWidth() : this.chartWidth() - 90;
    drawLanes(this.lanesEl, this.lanes, this.view[0], this.view[1], left, w);
  }
}

const MIN_SPAN_NS = 1_000_000;

/** The whole span of a flow and its streams, in ns relative to base_ns. */
function fullRange(d: FlowDetail): [number, number] {
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
