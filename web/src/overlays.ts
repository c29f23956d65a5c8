// Overlaid event types: a strip chart with one row of marks per type, and
// guide lines through every other chart where they are few enough.
import type { Series } from "./api";
import { ChartSpec, overlayColor, Rows, SeriesDef } from "./charts";
import { fmtCount } from "./format";

const MAX_GUIDES = 300; // guide lines per type drawn across the charts

export interface Overlays {
  spec: ChartSpec;
  rows: Rows;
  guides: { x: number; color: string }[];
  dense: string[]; // types with too many marks for guide lines
}

/** ovs[i] is the type:N series of the i-th overlaid type, named names[i]. */
export function buildOverlays(ovs: Series[], names: string[]): Overlays {
  const rows = new Rows();
  const guides: { x: number; color: string }[] = [];
  const dense: string[] = [];
  const defs: SeriesDef[] = names.map((label, i) => ({
    label, color: overlayColor(i), draw: "points", size: 6, fmt: (v: number) => fmtCount(v),
  }));
  ovs.forEach((s, i) => {
    const n = s.series.reduce((a, p) => a + p.t.length, 0);
    if (n > MAX_GUIDES) dense.push(names[i]);
    for (const part of s.series) {
      for (let j = 0; j < part.t.length; j++) {
        const note = part.n[j] > 1 ? `${part.n[j]} events (${fmtCount(part.min[j])}..${fmtCount(part.max[j])})` : fmtCount(part.min[j]);
        rows.add(i, part.t[j], i + 1, note);
        if (n <= MAX_GUIDES) guides.push({ x: part.t[j], color: overlayColor(i) });
      }
    }
  });
  const spec: ChartSpec = {
    series: defs, yKind: "count", height: 50 + 26 * names.length, hasMarkers: false, yLabels: ["", ...names],
  };
  return { spec, rows, guides, dense };
}
