// The streams panel: one lane per stream (opened -> FIN sent -> FIN acked,
// then whatever the stream still does until its last event, e.g. receiving
// the response) on the same time axis as the charts; a click opens it.
import type { Flow, FlowDetail, OjoEvent } from "./api";
import { diffNs } from "./api";
import { h, replace } from "./dom";
import { fmtBytes, fmtDuration, shortLabel } from "./format";
import { flowHref } from "./url";

export interface Lane {
  flow: Flow;
  start: number; // ns relative to the view's base
  end: number;
  opened?: number;
  finSent?: number;
  finAcked?: number;
  reset?: number;
  finalSize?: number;
}

const MAX_LANES = 100;

/** Lanes for the streams of d (or the stream itself), from its lifecycle
 * events (types 16, 18, 19, 20 with include_children). */
export function buildLanes(d: FlowDetail, evs: OjoEvent[]): Lane[] {
  const flows = d.flow.kind === "stream" ? [d.flow] : d.streams;
  const byKey = new Map<number, Lane>();
  for (const f of flows) {
    byKey.set(f.key, {
      flow: f,
      start: diffNs(f.first_ns, d.base_ns),
      end: diffNs(f.last_ns, d.base_ns),
    });
  }
  for (const e of evs) {
    const l = byKey.get(e.flow);
    if (!l) continue;
    if (e.type === 16 && l.opened === undefined) l.opened = e.t;
    if (e.type === 18 && l.finSent === undefined) {
      l.finSent = e.t;
      l.finalSize = e.value ?? undefined;
    }
    if (e.type === 19 && l.finAcked === undefined) l.finAcked = e.t;
    if (e.type === 20 && l.reset === undefined) l.reset = e.t;
  }
  return [...byKey.values()];
}

/** Draws lanes into el for the x range [from, to]; left/width are the
 * charts' plotting area in CSS px, so lanes line up with them. */
export function drawLanes(el: HTMLElement, lanes: Lane[], from: number, to: number, left: number, width: number): void {
  const span = Math.max(1, to - from);
  const pct = (t: number): number => ((t - from) / span) * 100;
  const clip = (a: number, b: number): [number, number] | null => {
    const x0 = Math.max(0, pct(a));
    const x1 = Math.min(100, pct(b));
    return x1 < 0 || x0 > 100 || x1 < x0 ? null : [x0, Math.max(x1 - x0, 0.3)];
  };
  const seg = (cls: string, a: number, b: number, title: string): HTMLElement | null => {
    const c = clip(a, b);
    return c ? h("div", { class: `seg ${cls}`, style: `left:${c[0]}%;width:${c[1]}%`, title }) : null;
  };
  const mark = (t: number | undefined, title: string, cls = ""): HTMLElement | null => {
    if (t === undefined) return null;
    const x = pct(t);
    return x < 0 || x > 100 ? null : h("div", { class: `mark ${cls}`, style: `left:${x}%`, title });
  };
  const shown = lanes.slice(0, MAX_LANES);
  replace(el,
    ...shown.map((l) => {
      const open = l.opened ?? l.start;
      const finS = l.finSent ?? l.reset ?? l.end;
      const closed = l.finAcked ?? l.finSent ?? l.reset; // last lifecycle step
      const name = shortLabel(l.flow.label, l.flow.flow_id);
      const tip = `${name}: opened ${fmtDuration(open)}` +
        (l.finSent !== undefined ? `, FIN sent ${fmtDuration(l.finSent)}` : ", no FIN sent") +
        (l.finAcked !== undefined ? `, FIN acked ${fmtDuration(l.finAcked)}` : l.finSent !== undefined ? ", FIN not acked" : "") +
        (l.reset !== undefined ? `, reset ${fmtDuration(l.reset)}` : "") +
        (l.finalSize !== undefined ? ` (${fmtBytes(l.finalSize)})` : "") +
        `, last event ${fmtDuration(l.end)}`;
      return h("a", { class: "lane", href: flowHref(l.flow.key), title: tip, style: `grid-template-columns:${left}px ${width}px`, "data-key": l.flow.key },
        h("span", { class: "name" }, name),
        h("div", { class: "track" },
          seg("open", open, finS, `open: ${fmtDuration(open)} → ${fmtDuration(finS)}`),
          l.finSent !== undefined && l.finAcked !== undefined ? seg("fin", l.finSent, l.finAcked, `FIN sent → acked: ${fmtDuration(l.finAcked - l.finSent)}`) : null,
          closed !== undefined && l.end > closed ? seg("after", closed, l.end, `events after ${l.finAcked !== undefined ? "the FIN was acked" : l.reset !== undefined && l.finSent === undefined ? "the reset" : "the FIN was sent"} (e.g. data received) until ${fmtDuration(l.end)}`) : null,
          mark(l.opened, "opened"), mark(l.finSent, "FIN sent"), mark(l.finAcked, "FIN acked"), mark(l.reset, "reset", "reset")));
    }),
    lanes.length > MAX_LANES ? h("p", { class: "muted" }, `${lanes.length - MAX_LANES} more streams not shown; list them from the dashboard.`) : null);
}

/** The key to the lanes' colors, for the panel title. */
export function laneLegend(): HTMLElement {
  const key = (cls: string, text: string): HTMLElement => h("span", {}, h("i", { class: `lk ${cls}` }), text);
  return h("span", { class: "legend-key", id: "lanes-legend" },
    key("open", "open, FIN not yet sent"), key("fin", "FIN sent, not yet acked"), key("after", "later events (data received, acks)"),
    key("mark", "opened / FIN sent / FIN acked"), key("reset", "reset"), h("span", {}, "· click a lane to open the stream"));
}
