// The flow view: every panel on one time axis (ns since the flow start),
// brush zoom and pan shared by all (TimeNav), the range kept in the URL,
// series fetched at the charts' pixel width and refetched on zoom
// (FlowPanels), overlaid event types, stream lanes and the events table.
import { api, FlowDetail, TypeCount } from "./api";
import { overlayColor, TimeChart } from "./charts";
import { h, replace } from "./dom";
import { EventsTable } from "./events_table";
import { fmtCount } from "./format";
import { FlowPicker } from "./flow_picker";
import { qlogUnavailable, renderExport, renderFlowHeader } from "./flow_header";
import { ensureChart, FlowPanels, PanelState } from "./flow_panels";
import { laneLegend } from "./lanes";
import { onLive, throttled } from "./live";
import { buildOverlays, Overlays } from "./overlays";
import { PANELS } from "./panels";
import { TimeNav } from "./time_nav";
import { compareHref, Route, updateParams } from "./url";

export interface FlowView {
  update(r: Route): void;
  destroy(): void;
}

export function showFlow(root: HTMLElement, key: string, route: Route): FlowView {
  const v = new FlowViewImpl(root, key);
  void v.start(route);
  return v;
}

class FlowViewImpl implements FlowView {
  private d: FlowDetail | null = null;
  private nav: TimeNav;
  private side: FlowPanels | null = null;
  private overlayTypes: number[] = [];
  private overlayPts: { x: number; color: string }[] = [];
  private overlayPanel: PanelState | null = null;
  private events: EventsTable | null = null;
  private exportBox = h("span", { class: "toolbar" });
  private fetchAbort: AbortController | null = null;
  private fetchSeq = 0;
  private offLive: () => void = () => undefined;
  private offKeys: () => void = () => undefined;
  private resizeObs: ResizeObserver | null = null;
  private types: TypeCount[] = [];

  constructor(
    private root: HTMLElement,
    private key: string,
  ) {
    this.nav = new TimeNav("flow", root, {
      preview: () => {
        for (const c of this.charts()) c.setRange(this.nav.view[0], this.nav.view[1]);
      },
      commit: () => {
        this.applyRange();
        void this.refetch();
      },
      markers: () => this.overlayPts,
    });
  }

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
    this.side = new FlowPanels(d, this.nav, 0);
    this.nav.full = this.side.full;
    this.readRoute(route);
    this.layout();
    this.offLive = onLive((c) => {
      if (this.d && (c.updated_traces.includes(this.d.flow.trace_id) || c.new_traces.includes(this.d.flow.trace_id))) this.liveRefresh();
    });
    this.offKeys = this.nav.bindKeys();
    await Promise.all([this.refetch(), this.loadLanes(), this.probeQlog()]);
  }

  private liveRefresh = throttled(async () => {
    const d = await api.flow(this.key);
    if (this.dead || !this.side) return;
    const zoomed = this.nav.isZoomed();
    this.d = d;
    this.side.setDetail(d);
    this.nav.full = this.side.full;
    if (!zoomed) this.nav.view = [...this.nav.full];
    this.drawHeader();
    this.types = await api.types({ flow: d.flow.key }).catch(() => d.types);
    this.events?.setTypes(this.types);
    this.applyRange();
    await Promise.all([this.refetch(), this.loadLanes()]);
  }, 1000);

  update(r: Route): void {
    if (!this.side) return;
    const ov = this.overlayTypes.join();
    const moved = this.readRoute(r);
    if (moved || this.overlayTypes.join() !== ov) {
      this.drawOverlayChips();
      this.applyRange();
      void this.refetch();
    }
  }

  private dead = false;
  destroy(): void {
    this.dead = true;
    this.nav.destroy();
    this.offLive();
    this.offKeys();
    this.fetchAbort?.abort();
    this.resizeObs?.disconnect();
    this.side?.destroy();
    this.overlayPanel?.chart?.destroy();
  }

  private charts(): TimeChart[] {
    const cs = this.side?.charts() ?? [];
    return this.overlayPanel?.chart ? [...cs, this.overlayPanel.chart] : cs;
  }

  private readRoute(r: Route): boolean {
    this.overlayTypes = (r.params.get("overlay") ?? "").split(",").filter((s) => /^\d+$/.test(s)).map(Number).slice(0, 8);
    return this.nav.readParams(r.params);
  }

  private applyRange(): void {
    const [from, to] = this.nav.view;
    for (const c of this.charts()) c.setRange(from, to);
    this.nav.drawRangeText();
    this.side?.drawLanes(this.nav.view);
    this.events?.setRange(from, to);
    this.drawExport();
  }

  // ---- layout ----
  private layout(): void {
    const d = this.d!;
    const side = this.side!;
    const header = h("section", { class: "card", id: "flow-head" });
    const overlaySel = h("select", { id: "overlay-add" }, h("option", { value: "" }, "overlay an event type…"),
      ...this.types.filter((t) => t.count > 0).map((t) => h("option", { value: t.type }, `${t.name} (${fmtCount(t.count)})`)));
    overlaySel.addEventListener("change", () => {
      const t = Number(overlaySel.value);
      overlaySel.value = "";
      if (!t || this.overlayTypes.includes(t)) return;
      this.setOverlays([...this.overlayTypes, t]);
    });
    const picker = new FlowPicker(d.flow, (other) => {
      const p = new URLSearchParams();
      // this flow's range, on the compare view's axis aligned by starts
      const { from, to } = this.nav.params();
      p.set("align", "start");
      if (from !== null && to !== null) {
        p.set("from", String(from));
        p.set("to", String(to));
      }
      location.hash = compareHref(d.flow.key, other.key, p);
    });
    const controls = h("div", { class: "toolbar" },
      ...this.nav.controls(),
      h("span", { style: "flex:1" }),
      h("button", { id: "compare-open", title: "open this flow side by side with another one", onclick: () => picker.toggle() }, "compare with…"),
      overlaySel,
      this.exportBox);
    this.overlayChips = h("div", { class: "toolbar", id: "overlays" });
    this.events = new EventsTable(d.flow.key, d.flow.kind === "connection", this.types, (k) => side.shortName(k));
    this.header = header;
    replace(this.root,
      header,
      h("section", { class: "card controls", style: "position:sticky;top:0;z-index:5" }, controls, this.overlayChips, picker.el),
      ...side.panels.map((p) => h("section", { class: "card" }, h("h2", {}, p.def.title), p.body, p.note)),
      this.overlayCard = h("section", { class: "card", id: "panel-overlay-card", style: "display:none" },
        h("h2", {}, "Overlaid events", h("span", { class: "muted" }, "also drawn as lines on every chart")), this.overlayBody, this.overlayNote),
      h("section", { class: "card", id: "panel-streams" }, h("h2", {}, "Streams",
        laneLegend()), side.lanesEl),
      h("section", { class: "card" }, h("h2", {}, "Events"), this.events.el));
    this.drawHeader();
    this.drawOverlayChips();
    this.applyRange();
    this.lastWidth = side.chartWidth();
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
    const w = this.side!.chartWidth();
    if (Math.abs(w - this.lastWidth) < 8) return;
    this.lastWidth = w;
    for (const c of this.charts()) c.setWidth(w);
    this.side!.drawLanes(this.nav.view);
    void this.refetch();
  }

  private drawHeader(): void {
    renderFlowHeader(this.header!, this.d!);
  }

  private drawExport(): void {
    if (!this.d) return;
    renderExport(this.exportBox, this.d, this.nav.isZoomed() ? this.nav.view : null, this.qlogOff);
  }

  private async probeQlog(): Promise<void> {
    this.qlogOff = await qlogUnavailable(this.d!.flow.key);
    this.drawExport();
  }
  private qlogOff = "";

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

  private typeName(t: number): string {
    return this.types.find((x) => x.type === t)?.name ?? `type ${t}`;
  }

  // ---- data ----
  private async refetch(): Promise<void> {
    const side = this.side;
    if (!side) return;
    this.fetchAbort?.abort();
    const abort = new AbortController();
    this.fetchAbort = abort;
    const seq = ++this.fetchSeq;
    this.root.dataset.ready = "0";
    const view: [number, number] = [...this.nav.view];
    const width = side.chartWidth();
    const plotW = side.plotWidth();
    try {
      const [loaded, ovs] = await Promise.all([
        side.load(view, plotW, abort.signal),
        Promise.all(this.overlayTypes.map((t) => api.series(side.d.flow.key, { metric: `type:${t}`, from: view[0], to: view[1], points: plotW }, abort.signal))),
      ]);
      if (seq !== this.fetchSeq || this.dead) return;
      const ov = buildOverlays(ovs, this.overlayTypes.map((t) => this.typeName(t)));
      this.overlayPts = ov.guides;
      side.draw(loaded, view, width);
      this.drawOverlayPanel(ov, width);
      // "ready" once the browser has painted the new charts
      requestAnimationFrame(() => setTimeout(() => {
        if (seq === this.fetchSeq) this.root.dataset.ready = "1";
      }));
    } catch (e) {
      if ((e as Error).name === "AbortError" || seq !== this.fetchSeq) return;
      side.showError(`Could not load series: ${(e as Error).message}`);
      this.root.dataset.ready = "error";
    }
  }

  private drawOverlayPanel(ov: Overlays, width: number): void {
    if (!this.overlayTypes.length) {
      this.overlayPanel?.chart?.destroy();
      this.overlayPanel = null;
      replace(this.overlayBody);
      this.side?.redraw();
      return;
    }
    if (!this.overlayPanel) {
      this.overlayPanel = { def: PANELS[0], body: this.overlayBody, note: this.overlayNote, chart: null, present: [] };
    }
    const p = this.overlayPanel;
    ensureChart(p, ov.spec, this.nav, width);
    const built = ov.rows.build(ov.spec.series.length);
    p.chart!.setData(built.data, built.notes);
    replace(p.note, ov.dense.length
      ? `Too many ${ov.dense.join(", ")} events in this range to draw as lines on every chart: zoom in to see them there.` : "");
    this.side?.redraw(); // new guide lines
  }

  private async loadLanes(): Promise<void> {
    await this.side?.loadLanes();
    if (!this.dead) this.side?.drawLanes(this.nav.view);
  }
}
