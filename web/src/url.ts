// Router and URL state: the hash holds the view and its parameters, so a
// reload restores the view and a copied link shows the same thing.
//   #/                      dashboard (q, sort, dir, page, type, trace)
//   #/flow/KEY?from=&to=    flow view; from/to in ns since the flow start
//   #/compare/A/B?align=start|wall&from=&to=&y=own
//                           two flows on one time axis (compare.ts)

export interface Route {
  view: "dashboard" | "flow" | "compare";
  key: string; // flow key for the flow view, flow A to compare
  other: string; // flow B to compare, else ""
  params: URLSearchParams;
}

export function parseHash(hash: string = location.hash): Route {
  const raw = hash.replace(/^#/, "");
  const qi = raw.indexOf("?");
  const path = qi >= 0 ? raw.slice(0, qi) : raw;
  const params = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : "");
  const m = /^\/flow\/([^/]+)$/.exec(path);
  if (m) return { view: "flow", key: decodeURIComponent(m[1]), other: "", params };
  const c = /^\/compare\/([^/]+)\/([^/]+)$/.exec(path);
  if (c) return { view: "compare", key: decodeURIComponent(c[1]), other: decodeURIComponent(c[2]), params };
  return { view: "dashboard", key: "", other: "", params };
}

export function buildHash(r: Route): string {
  const qs = r.params.toString();
  const path = r.view === "flow" ? `/flow/${encodeURIComponent(r.key)}`
    : r.view === "compare" ? `/compare/${encodeURIComponent(r.key)}/${encodeURIComponent(r.other)}` : "/";
  return `#${path}${qs ? "?" + qs : ""}`;
}

/** Link to a flow view, optionally with a range. */
export function flowHref(key: string | number, from?: number, to?: number): string {
  const p = new URLSearchParams();
  if (from !== undefined && to !== undefined) {
    p.set("from", String(Math.round(from)));
    p.set("to", String(Math.round(to)));
  }
  return buildHash({ view: "flow", key: String(key), other: "", params: p });
}

/** Link to the compare view of flows a and b. */
export function compareHref(a: string | number, b: string | number, params = new URLSearchParams()): string {
  return buildHash({ view: "compare", key: String(a), other: String(b), params });
}

/** Changes parameters of the current view without a history entry per
 * step (zoom and paging would flood the back button otherwise). */
export function updateParams(
  changes: Record<string, string | number | null | undefined>,
  push = false,
): void {
  const r = parseHash();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") r.params.delete(k);
    else r.params.set(k, String(v));
  }
  const hash = buildHash(r);
  if (hash === location.hash) return;
  // pushState/replaceState fire no hashchange: the view that changes its
  // own parameters has already drawn what they say.
  if (push) history.pushState(null, "", hash);
  else history.replaceState(null, "", hash);
}

/** Calls fn on navigation (links, back/forward, typed URL). */
export function onRouteChange(fn: (r: Route) => void): void {
  window.addEventListener("hashchange", () => fn(parseHash()));
}

export function intParam(p: URLSearchParams, name: string, dflt: number): number {
  const v = p.get(name);
  if (v === null || !/^-?\d+$/.test(v)) return dflt;
  return parseInt(v, 10);
}
