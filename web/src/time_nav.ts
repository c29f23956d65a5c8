// One time axis shared by every chart of a view: the range shown, brush
// zoom, pan, wheel zoom, the toolbar buttons and keys that move it, and
// from/to in the URL. The flow view and the compare view both drive their
// charts through one TimeNav (it is their charts' ChartHost).
import type { ChartHost } from "./charts";
import { h } from "./dom";
import { fmtDuration } from "./format";
import { intParam, updateParams } from "./url";

const MIN_SPAN = 1000; // ns: zooming further shows nothing useful

export interface NavHooks {
  /** the range moves under the pointer (drag, wheel): charts follow now,
   * data is fetched once it rests (commit) */
  preview(): void;
  /** the range settled: redraw what depends on it and fetch */
  commit(): void;
  /** vertical guide lines across the charts */
  markers?(): { x: number; color: string }[];
}

export class TimeNav implements ChartHost {
  /** everything there is to see, and what is shown (ns on the view's axis) */
  full: [number, number] = [0, 1];
  view: [number, number] = [0, 1];
  readonly rangeText = h("span", { class: "range", id: "range" });
  private wheelTimer = 0;

  constructor(
    readonly syncKey: string,
    /** publishes data-from/data-to (tests and tools read them) */
    private root: HTMLElement,
    private hooks: NavHooks,
    /** what the whole range is called: "whole flow", "both flows" */
    private wholeName = "whole flow",
    /** the hint's "double-click for …" */
    private wholeHint = "the whole flow",
  ) {}

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
      this.hooks.preview();
      this.drawRangeText();
      return;
    }
    this.setView(this.view[0], this.view[1], true); // one history entry per drag
  }
  reset(): void {
    this.setView(this.full[0], this.full[1], true);
  }
  wheel(x: number, factor: number): void {
    const [a, b] = this.view;
    const from = Math.max(this.full[0], x - (x - a) * factor);
    const to = Math.min(this.full[1], x + (b - x) * factor);
    if (to - from < MIN_SPAN) return;
    this.view = [from, to];
    this.hooks.preview();
    this.drawRangeText();
    // fetch and record in the URL once the wheel rests
    clearTimeout(this.wheelTimer);
    this.wheelTimer = window.setTimeout(() => this.setView(this.view[0], this.view[1], false), 250);
  }
  markers(): { x: number; color: string }[] {
    return this.hooks.markers?.() ?? [];
  }

  // ---- state ----
  isZoomed(): boolean {
    return this.view[0] > this.full[0] || this.view[1] < this.full[1];
  }

  /** The range in the URL (from/to), else the whole range. Returns
   * whether the view changed. */
  readParams(p: URLSearchParams): boolean {
    const before = this.view.join();
    const from = intParam(p, "from", NaN);
    const to = intParam(p, "to", NaN);
    this.view = isFinite(from) && isFinite(to) && to > from ? [from, to] : [...this.full];
    return this.view.join() !== before;
  }

  /** The params that record the view (none for the whole range). */
  params(): { from: number | null; to: number | null } {
    const isFull = this.view[0] <= this.full[0] && this.view[1] >= this.full[1];
    return { from: isFull ? null : this.view[0], to: isFull ? null : this.view[1] };
  }

  setView(from: number, to: number, push: boolean): void {
    if (to - from < MIN_SPAN) {
      const mid = (from + to) / 2;
      from = mid - MIN_SPAN / 2;
      to = mid + MIN_SPAN / 2;
    }
    this.view = [Math.floor(from), Math.ceil(to)];
    updateParams(this.params(), push);
    this.hooks.commit();
  }

  panBy(frac: number): void {
    const span = this.view[1] - this.view[0];
    this.setView(this.view[0] + span * frac, this.view[1] + span * frac, true);
  }

  zoomBy(factor: number): void {
    const mid = (this.view[0] + this.view[1]) / 2;
    const half = ((this.view[1] - this.view[0]) * factor) / 2;
    this.setView(Math.max(this.full[0], mid - half), Math.min(this.full[1], mid + half), true);
  }

  drawRangeText(): void {
    const [a, b] = this.view;
    const whole = this.full[1] - this.full[0];
    this.rangeText.textContent = `${fmtDuration(a)} – ${fmtDuration(b)} (${fmtDuration(b - a)}${this.isZoomed() ? ` of ${fmtDuration(whole)}` : `, ${this.wholeName}`})`;
    this.root.dataset.from = String(a);
    this.root.dataset.to = String(b);
  }

  /** The toolbar: pan, zoom, whole range, the range shown, a hint. */
  controls(): HTMLElement[] {
    const btn = (label: string, title: string, fn: () => void, id: string): HTMLElement =>
      h("button", { title, onclick: fn, id }, label);
    return [
      btn("◀", "pan left (←)", () => this.panBy(-0.5), "pan-left"),
      btn("▶", "pan right (→)", () => this.panBy(0.5), "pan-right"),
      btn("−", "zoom out (-)", () => this.zoomBy(2), "zoom-out"),
      btn("+", "zoom in (+)", () => this.zoomBy(0.5), "zoom-in"),
      btn(this.wholeName, "reset zoom (0, or double-click a chart)", () => this.reset(), "zoom-reset"),
      this.rangeText,
      h("span", { class: "muted" }, `drag on a chart to zoom, shift+drag to pan, ctrl+wheel to zoom, double-click for ${this.wholeHint}`),
    ];
  }

  /** ← → pan, + - zoom, 0 the whole range; extra keys for the view.
   * Returns the function that unbinds them. */
  bindKeys(extra: Record<string, () => void> = {}): () => void {
    const keys: Record<string, () => void> = {
      ArrowLeft: () => this.panBy(-0.5),
      ArrowRight: () => this.panBy(0.5),
      "+": () => this.zoomBy(0.5),
      "=": () => this.zoomBy(0.5),
      "-": () => this.zoomBy(2),
      "0": () => this.reset(),
      ...extra,
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName))) return;
      const fn = keys[e.key];
      if (!fn) return;
      e.preventDefault();
      fn();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }

  destroy(): void {
    clearTimeout(this.wheelTimer);
  }
}
