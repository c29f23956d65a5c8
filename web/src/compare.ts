// The compare view: two flows on one time axis, each panel of the flow view
// drawn for A above B (the same x range, so a time is at the same x in
// both), one zoom for all charts, the summaries side by side.
//
// The axis: align=start puts each flow's start at 0 (x = ns since that
// flow's start); align=wall puts both on their shared clock (x = ns since
// the earlier of the two starts). Wall alignment needs dated clocks: two
// traces with relative clocks (qlog without a reference time) cannot be
// placed on one, unless both flows are from the same trace.
// from/to in the URL are on this axis; y=own gives each chart its own y
// scale (by default A and B share it, so heights compare).
import { api, diffNs, FlowDetail } from "./api";
import { YLink } from "./charts";
import { figures, renderSummary, rttStats, RttStats } from "./compare_summary";
import { h, replace } from "./dom";
import { FlowPanels } from "./flow_panels";
import { FlowPicker } from "./flow_picker";
import { fmtDuration, fmtStart, isRelativeClock, shortLabel } from "./format";
import { laneLegend } from "./lanes";
import { onLive, throttled } from "./live";
import { PANELS } from "./panels";
import { TimeNav } from "./time_nav";
import { compareHref, flowHref, parseHash, Route, updateParams } from "./url";

export type Align = "start" | "wall";

const HEIGHT = 0.8; // chart heights relative to the flow view's
const MAX_WALL_GAP_NS = 100 * 86400e9; // beyond, offsets lose ns precision

interface Side {
  tag: "a" | "b";
  d: FlowDetail;
  panels: FlowPanels;
  srtt: RttStats | null;
  rtt: RttStats | null;
}

export interface CompareView {
  /** the same two flows (in either order): new range, alignment, order */
  update(r: Route): void;
  destroy(): void;
}

export function showCompare(root: HTMLElement, route: Route): CompareView {
  const v = new CompareViewImpl(root, route.key, route.other);
  void v.start(route);
  return v;
}

/** Why the two flows cannot share a wall-clock axis, or "". */
export function wallProblem(a: FlowDetail, b: FlowDetail): string {
  const relA = isRelativeClock(Number(a.base_ns));
  const relB = isRelativeClock(Number(b.base_ns));
  if ((relA || relB) && a.flow.trace_id !== b.flow.trace_id) {
    const who = relA && relB ? "Both traces log" : `The trace of ${relA ? "A" : "B"} logs`;
    return `${who} a relative clock (no date: e.g. qlog without a reference time), so the two flows cannot be placed on one wall clock. They are aligned by their starts.`;
  }
  const gap = BigInt(a.base_ns) - BigInt(b.base_ns);
  if ((gap < 0n ? -gap : gap) > BigInt(MAX_WALL_GAP_NS)) {
    return "The flows start more than 100 days apart: they are aligned by their starts.";
  }
  return "";
}

class CompareViewImpl implements CompareView {
  private nav: TimeNav;
  private sides: [Side, Side] | null = null;
  private align: Align = "start";
  private wallWhy = "";
  private sharedY = true;
  private yLinks = new Map<string, YLink>(PANELS.map((p) => [p.id, new YLink()]));
  private fetchAbort: AbortController | null = null;
  private fetchSeq = 0;
  private dead = false;
  private offLive: () => void = () => undefined;
  private offKeys: () => void = () => undefined;
  private resizeObs: ResizeObserver | null = null;
  private lastWidth = 0;
  private summary = h("div", { class: "scroll", id: "compare-summary-box" });
  private alignBox = h("div", { class: "toolbar", id: "align-box" });
  private flash = h("span", { class: "muted", id: "compare-flash" });

  constructor(
    private root: HTMLElement,
    private keyA: string,
    private keyB: string,
  ) {
    this.nav = new TimeNav("compare", root, {
      preview: () => {
        for (const s of this.sides ?? []) s.panels.setRange(this.nav.view[0], this.nav.view[1]);
      },
      commit: () => {
        this.applyRange();
        void this.refetch();
      },
    }, "both flows", "both flows whole");
  }

  async start(route: Route): Promise<void> {
    replace(this.root, h("p", { class: "muted" }, "Loading both flows…"));
    const load = async (key: string, tag: "a" | "b"): Promise<Side> => {
      const d = await api.flow(key).catch((e: Error) => {
        throw new Error(`flow ${tag.toUpperCase()} (${key}): ${e.message}`);
      });
      const [srtt, rtt] = await Promise.all([rttStats(d, "smoothed_rtt").catch(() => null), rttStats(d, "rtt_sample").catch(() => null)]);
      return { tag, d, srtt, rtt, panels: this.newPanels(d, tag) };
    };
    let a: Side, b: Side;
    try {
      [a, b] = await Promise.all([load(this.keyA, "a"), load(this.keyB, "b")]);
    } catch (e) {
      if (this.dead) return;
      replace(this.root, h("div", { class: "banner error" }, `Cannot compare: ${(e as Error).message}`),
        h("p", {}, h("a", { href: "#/" }, "← back to the dashboard")));
      this.root.dataset.ready = "error";
      return;
    }
    if (this.dead) return;
    this.sides = [a, b];
    this.wallWhy = wallProblem(a.d, b.d);
    this.readRoute(route, true);
    this.layout();
    // the URL names the alignment even when it was the default, so a
    // shared link shows the same thing whatever the default becomes
    updateParams({ align: this.align, ...this.nav.params() });
    this.offLive = onLive((c) => {
      const traces = [a.d.flow.trace_id, b.d.flow.trace_id];
      if (traces.some((t) => c.updated_traces.includes(t) || c.new_traces.includes(t))) this.liveRefresh();
    });
    this.offKeys = this.nav.bindKeys({
      s: () => this.swap(),
      a: () => this.setAlign(this.align === "wall" ? "start" : "wall"),
    });
    await Promise.all([this.refetch(), this.loadLanes()]);
  }

  update(r: Route): void {
    if (!this.sides) return;
    if (r.key === this.keyB && r.other === this.keyA && r.key !== r.other) {
      // swapped: same data, other order
      [this.keyA, this.keyB] = [r.key, r.other];
      const [a, b] = this.sides;
      this.sides = [b, a];
      this.sides[0].tag = "a";
      this.sides[1].tag = "b";
      for (const s of this.sides) {
        s.panels.destroy();
        s.panels = this.newPanels(s.d, s.tag);
      }
      this.readRoute(r, false);
      this.layout();
      void this.refetch();
      void this.loadLanes();
      return;
    }
    const before = `${this.align}|${this.sharedY}`;
    const moved = this.readRoute(r, false);
    if (moved || before !== `${this.align}|${this.sharedY}`) {
      this.drawAlignBox();
      this.applyRange();
      void this.refetch();
    }
  }

  private newPanels(d: FlowDetail, tag: "a" | "b"): FlowPanels {
    return new FlowPanels(d, this.nav, 0, { idSuffix: `-${tag}`, heightScale: HEIGHT });
  }

  destroy(): void {
    this.dead = true;
    this.nav.destroy();
    this.offLive();
    this.offKeys();
    this.fetchAbort?.abort();
    this.resizeObs?.disconnect();
    for (const s of this.sides ?? []) s.panels.destroy();
  }

  // ---- alignment ----
  /** Reads align, y and from/to; returns whether the range changed. */
  private readRoute(r: Route, first: boolean): boolean {
    const [a, b] = this.sides!;
    const asked = r.params.get("align");
    this.requested = asked === "wall" || asked === "start" ? asked : "";
    if (this.requested === "wall" && !this.wallWhy) this.align = "wall";
    else if (this.requested === "start" || this.requested === "wall") this.align = "start";
    else if (first) this.align = !this.wallWhy && this.overlapOnWall(a.d, b.d) ? "wall" : "start";
    this.sharedY = r.params.get("y") !== "own";
    this.applyAlign();
    return this.nav.readParams(r.params);
  }
  private requested: Align | "" = "";

  /** Whether the flows' spans overlap in wall-clock time. */
  private overlapOnWall(a: FlowDetail, b: FlowDetail): boolean {
    const span = (d: FlowDetail): [bigint, bigint] => [BigInt(d.base_ns), BigInt(d.base_ns) + BigInt(Math.max(0, d.flow.duration_ns))];
    const [a0, a1] = span(a);
    const [b0, b1] = span(b);
    return a0 <= b1 && b0 <= a1;
  }

  /** Shifts of both sides for this.align, and the axis they span. */
  private applyAlign(): void {
    const [a, b] = this.sides!;
    let sa = 0;
    let sb = 0;
    if (this.align === "wall") {
      const ba = BigInt(a.d.base_ns);
      const bb = BigInt(b.d.base_ns);
      const origin = ba < bb ? ba : bb;
      sa = Number(ba - origin);
      sb = Number(bb - origin);
    }
    a.panels.shift = sa;
    b.panels.shift = sb;
    const xTitle = this.align === "wall" ? "time since the earlier flow's start (wall clock)" : "time since each flow's start";
    for (const s of this.sides!) {
      s.panels.setOptions({ xTitle, yLinks: this.sharedY ? this.yLinks : undefined });
    }
    const fa = a.panels.full;
    const fb = b.panels.full;
    this.nav.full = [Math.min(fa[0] + sa, fb[0] + sb), Math.max(fa[1] + sa, fb[1] + sb)];
    this.root.dataset.align = this.align;
  }

  /** Switches the alignment, keeping what A shows in place. */
  private setAlign(align: Align): void {
    if (!this.sides || align === this.align || (align === "wall" && this.wallWhy)) return;
    const whole = !this.nav.isZoomed();
    const oldShift = this.sides[0].panels.shift;
    this.align = align;
    this.requested = align;
    this.applyAlign();
    const d = this.sides[0].panels.shift - oldShift;
    this.nav.view = whole ? [...this.nav.full] : [this.nav.view[0] + d, this.nav.view[1] + d];
    updateParams({ align, ...this.nav.params() }, true);
    this.drawAlignBox();
    this.applyRange();
    void this.refetch();
  }

  private setSharedY(on: boolean): void {
    this.sharedY = on;
    updateParams({ y: on ? null : "own" }, true);
    this.applyAlign();
    void this.refetch();
  }

  private swap(): void {
    location.hash = compareHref(this.keyB, this.keyA, parseHash().params);
  }

  /** Replaces one side with another flow (keeps the alignment, not the
   * range: the new flow spans other times). */
  private replaceSide(tag: "a" | "b", key: number): void {
    const p = new URLSearchParams({ align: this.align });
    if (!this.sharedY) p.set("y", "own");
    location.hash = tag === "a" ? compareHref(key, this.keyB, p) : compareHref(this.keyA, key, p);
  }

  // ---- layout ----
  private layout(): void {
    const [a, b] = this.sides!;
    document.title = `${name(a.d)} vs ${name(b.d)} · Ojo`;
    const pickA = new FlowPicker(a.d.flow, (f) => this.replaceSide("a", f.key), `Replace A (${name(a.d)}) with…`);
    const pickB = new FlowPicker(b.d.flow, (f) => this.replaceSide("b", f.key), `Replace B (${name(b.d)}) with…`);
    pickA.el.id = "compare-picker-a";
    pickB.el.id = "compare-picker-b";
    const copy = async (): Promise<void> => {
      const ok = await navigator.clipboard?.writeText(location.href).then(() => true, () => false);
      this.flash.textContent = ok ? "link copied" : "copy the address bar to share this view";
      setTimeout(() => { this.flash.textContent = ""; }, 2500);
    };
    const head = h("section", { class: "card", id: "compare-head" },
      h("div", { class: "flowhead" },
        h("h1", {}, "Compare two flows"),
        h("button", { id: "compare-swap", title: "swap A and B (s)", onclick: () => this.swap() }, "⇄ swap A and B"),
        h("button", { id: "compare-change-a", title: "compare another flow with B", onclick: () => pickA.toggle() }, "change A…"),
        h("button", { id: "compare-change-b", title: "compare another flow with A", onclick: () => pickB.toggle() }, "change B…"),
        h("button", { id: "compare-copy", title: "copy a link to this view (alignment and zoom)", onclick: () => void copy() }, "copy link"),
        this.flash),
      pickA.el, pickB.el,
      this.summary,
      this.alignBox);
    const controls = h("section", { class: "card controls", style: "position:sticky;top:0;z-index:5" },
      h("div", { class: "toolbar" }, ...this.nav.controls(),
        h("span", { class: "muted" }, "· keys: ← → + − 0, s swap, a alignment")));
    const sideBlock = (s: Side, body: HTMLElement, note: HTMLElement | null): HTMLElement =>
      h("div", { class: `cmp-side side-${s.tag}`, "data-side": s.tag, "data-key": s.d.flow.key, "data-shift": s.panels.shift },
        tagLine(s), body, note);
    const panelCards = a.panels.panels.map((pa, i) => {
      const pb = b.panels.panels[i];
      return h("section", { class: "card", id: `cmp-${pa.def.id}` }, h("h2", {}, pa.def.title),
        sideBlock(a, pa.body, pa.note), sideBlock(b, pb.body, pb.note));
    });
    replace(this.root,
      head,
      controls,
      ...panelCards,
      h("section", { class: "card", id: "panel-streams" }, h("h2", {}, "Streams", laneLegend()),
        sideBlock(a, a.panels.lanesEl, null), sideBlock(b, b.panels.lanesEl, null)));
    this.drawSummary();
    this.drawAlignBox();
    this.applyRange();
    this.lastWidth = a.panels.chartWidth();
    this.resizeObs?.disconnect();
    this.resizeObs = new ResizeObserver(() => this.onResize());
    this.resizeObs.observe(this.root);
  }

  private drawSummary(): void {
    const [a, b] = this.sides!;
    const head = (s: Side): Node => h("span", { class: "cmp-head" },
      h("span", { class: `cmp-tag tag-${s.tag}` }, s.tag.toUpperCase()), " ",
      h("a", { href: flowHref(s.d.flow.key), title: `open ${name(s.d)} alone`, id: `compare-link-${s.tag}` }, name(s.d)),
      h("div", { class: "muted" }, `${s.d.flow.kind} · trace #${s.d.flow.trace_id} ${s.d.flow.trace} · key ${s.d.flow.key}`),
      h("div", { class: "muted" }, `start ${fmtStart(Number(s.d.base_ns))}`));
    renderSummary(this.summary, figures(a, b), [head(a), head(b)]);
  }

  private drawAlignBox(): void {
    const [a, b] = this.sides!;
    const radio = (value: Align, label: string, disabled: boolean, title: string): HTMLElement => {
      const input = h("input", { type: "radio", name: "align", value, id: `align-${value}`, disabled });
      input.checked = this.align === value;
      input.addEventListener("change", () => this.setAlign(value));
      return h("label", { title, class: disabled ? "off" : "" }, input, " ", label);
    };
    const y = h("input", { type: "checkbox", id: "y-shared" });
    y.checked = this.sharedY;
    y.addEventListener("change", () => this.setSharedY(y.checked));
    let note = "";
    if (this.wallWhy) {
      note = (this.requested === "wall" ? "Wall-clock alignment is unavailable. " : "") + this.wallWhy;
    } else {
      const gap = diffNs(b.d.base_ns, a.d.base_ns);
      note = gap === 0 ? "Both flows start at the same instant." : `B starts ${fmtDuration(Math.abs(gap))} ${gap > 0 ? "after" : "before"} A${this.overlapOnWall(a.d, b.d) ? "" : " (their spans do not overlap)"}.`;
    }
    replace(this.alignBox,
      h("b", {}, "time axis:"),
      radio("start", "each flow from its start", false, "x = time since each flow's first event (a)"),
      radio("wall", "wall clock", this.wallWhy !== "", this.wallWhy || "x = the shared clock, from the earlier start (a)"),
      h("span", { class: this.wallWhy ? "banner inline" : "muted", id: "align-note" }, note),
      h("span", { style: "flex:1" }),
      h("label", { title: "A and B charts of a panel share their y range, so heights compare" }, y, " same y scale for A and B"));
  }

  private applyRange(): void {
    if (!this.sides) return;
    const [from, to] = this.nav.view;
    for (const s of this.sides) {
      s.panels.setRange(from, to);
      s.panels.drawLanes(this.nav.view);
    }
    for (const el of this.root.querySelectorAll<HTMLElement>(".cmp-side")) {
      const s = this.sides.find((x) => x.tag === el.dataset.side);
      if (s) el.dataset.shift = String(s.panels.shift);
    }
    this.nav.drawRangeText();
  }

  private onResize(): void {
    if (!this.sides) return;
    const w = this.sides[0].panels.chartWidth();
    if (Math.abs(w - this.lastWidth) < 8) return;
    this.lastWidth = w;
    for (const s of this.sides) {
      s.panels.setWidth(w);
      s.panels.drawLanes(this.nav.view);
    }
    void this.refetch();
  }

  // ---- data ----
  private async refetch(): Promise<void> {
    if (!this.sides) return;
    const sides = this.sides;
    this.fetchAbort?.abort();
    const abort = new AbortController();
    this.fetchAbort = abort;
    const seq = ++this.fetchSeq;
    this.root.dataset.ready = "0";
    const view: [number, number] = [...this.nav.view];
    const width = sides[0].panels.chartWidth();
    const plotW = sides[0].panels.plotWidth();
    try {
      const loaded = await Promise.all(sides.map((s) => s.panels.load(view, plotW, abort.signal)));
      if (seq !== this.fetchSeq || this.dead) return;
      sides.forEach((s, i) => s.panels.draw(loaded[i], view, width));
      // A was ranged before B had its new data
      for (const l of this.yLinks.values()) l.refresh();
      for (const s of sides) s.panels.drawLanes(this.nav.view);
      requestAnimationFrame(() => setTimeout(() => {
        if (seq === this.fetchSeq) this.root.dataset.ready = "1";
      }));
    } catch (e) {
      if ((e as Error).name === "AbortError" || seq !== this.fetchSeq) return;
      for (const s of sides) s.panels.showError(`Could not load series: ${(e as Error).message}`);
      this.root.dataset.ready = "error";
    }
  }

  private async loadLanes(): Promise<void> {
    const sides = this.sides!;
    await Promise.all(sides.map((s) => s.panels.loadLanes()));
    if (!this.dead && sides === this.sides) for (const s of sides) s.panels.drawLanes(this.nav.view);
  }

  private liveRefresh = throttled(async () => {
    const sides = this.sides;
    if (!sides) return;
    const fresh = await Promise.all(sides.map(async (s) => {
      const d = await api.flow(s.d.flow.key);
      return { d, srtt: await rttStats(d, "smoothed_rtt").catch(() => s.srtt), rtt: await rttStats(d, "rtt_sample").catch(() => s.rtt) };
    }));
    if (this.dead || sides !== this.sides) return;
    const zoomed = this.nav.isZoomed();
    sides.forEach((s, i) => {
      Object.assign(s, fresh[i]);
      s.panels.setDetail(s.d);
    });
    this.applyAlign();
    if (!zoomed) this.nav.view = [...this.nav.full];
    this.drawSummary();
    this.applyRange();
    await Promise.all([this.refetch(), this.loadLanes()]);
  }, 1000);
}

function name(d: FlowDetail): string {
  return d.flow.label ?? `flow ${d.flow.flow_id}`;
}

/** "A  clean #1 (connection, trace #1)" above a side's chart. */
function tagLine(s: Side): HTMLElement {
  const f = s.d.flow;
  return h("div", { class: "cmp-tagline" },
    h("span", { class: `cmp-tag tag-${s.tag}` }, s.tag.toUpperCase()),
    h("a", { href: flowHref(f.key), title: f.label ?? "" }, f.kind === "stream" ? shortLabel(f.label, f.flow_id) : name(s.d)),
    h("span", { class: "muted" }, ` #${f.key} · trace #${f.trace_id}`));
}
