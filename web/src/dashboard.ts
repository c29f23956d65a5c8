// The dashboard: totals, dropped-events banner, traces, event-type
// distribution, and the paged, sortable, searchable flows table. Its state
// (search, filters, sort, page) lives in the URL.
import { api, Flow, Stats, Trace, TypeCount, diffNs } from "./api";
import { h, replace } from "./dom";
import { fmtCount, fmtDuration, fmtEpoch, fmtStart, isRelativeClock } from "./format";
import { onLive, throttled } from "./live";
import { compareHref, flowHref, intParam, parseHash, updateParams } from "./url";

const PAGE = 50;
const SORTS: Record<string, string> = { start: "start", duration: "duration", events: "events", losses: "losses" };

interface DashState {
  q: string;
  kind: string;
  type: string;
  trace: string;
  sort: string;
  order: string;
  page: number;
}

function readState(): DashState {
  const p = parseHash().params;
  const sort = p.get("sort") ?? "start";
  return {
    q: p.get("q") ?? "",
    kind: p.get("kind") ?? "all",
    type: p.get("type") ?? "",
    trace: p.get("trace") ?? "",
    sort: SORTS[sort] ?? "start",
    order: p.get("order") === "asc" || p.get("order") === "desc" ? (p.get("order") as string) : "",
    page: Math.max(0, intParam(p, "page", 0)),
  };
}

/** Flows ticked to compare (at most two, oldest first): kept while the
 * user pages, searches or leaves and comes back. */
const picked: Flow[] = [];

function defaultOrder(sort: string): string {
  return sort === "start" ? "asc" : "desc";
}

/** Renders the dashboard into root; returns its cleanup function. */
export function showDashboard(root: HTMLElement): () => void {
  let st = readState();
  const banner = h("div");
  const totals = h("div", { class: "totals", id: "totals" });
  const tracesBox = h("div", { class: "scroll tall" });
  const typesBox = h("div", { id: "types" });
  const flowsBox = h("div", { class: "scroll", id: "flows" });
  const pager = h("div", { class: "pager" });
  const search = h("input", { type: "search", placeholder: "search label, trace, flow id…", value: st.q, size: 30, id: "flow-search" });
  const kindSel = h("select", { id: "flow-kind" },
    h("option", { value: "all" }, "all flows"),
    h("option", { value: "connections" }, "connections"),
    h("option", { value: "streams" }, "streams"));
  kindSel.value = st.kind;
  const typeSel = h("select", { id: "flow-type" }, h("option", { value: "" }, "any event type"));
  const traceChip = h("span");
  const compareBar = h("div", { class: "compare-bar", id: "compare-bar" });
  let types: TypeCount[] = [];
  let traces: Trace[] = [];

  replace(root,
    banner,
    totals,
    h("div", { class: "row" },
      h("section", { class: "card" }, h("h2", {}, "Traces", h("span", { class: "muted" }, "click one to list its flows")), tracesBox),
      h("section", { class: "card" }, h("h2", {}, "Event types", h("span", { class: "muted", id: "types-scope" }, "click to filter flows")), typesBox)),
    h("section", { class: "card" },
      h("h2", {}, "Flows", h("span", { class: "muted", id: "flows-total" })),
      h("div", { class: "toolbar" }, search, kindSel, typeSel, traceChip),
      flowsBox, pager, compareBar));

  const setState = (ch: Partial<DashState>, resetPage = true): void => {
    st = { ...st, ...ch };
    if (resetPage && ch.page === undefined) st.page = 0;
    updateParams({
      q: st.q, kind: st.kind === "all" ? null : st.kind, type: st.type, trace: st.trace,
      sort: st.sort === "start" ? null : st.sort, order: st.order, page: st.page || null,
    });
    void loadFlows();
    if (st.trace !== typesFor) void loadTypes();
    else drawTypes();
    drawTraces();
  };

  let searchTimer = 0;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => setState({ q: search.value.trim() }), 200);
  });
  kindSel.addEventListener("change", () => setState({ kind: kindSel.value }));
  typeSel.addEventListener("change", () => setState({ type: typeSel.value }));

  const drawStats = (s: Stats, tr: Trace[]): void => {
    const sp = timeSpan(s, tr);
    replace(totals,
      total("events", fmtCount(s.events)),
      total("flows", fmtCount(s.flows), `${fmtCount(s.connections)} connections, ${fmtCount(s.streams)} streams`),
      total("traces", fmtCount(s.traces)),
      total("dropped events", fmtCount(s.dropped), s.dropped > 0 ? "traces are incomplete" : "none", s.dropped > 0),
      total("files", fmtCount(s.files.ingested), s.files.rejected ? `${s.files.rejected} rejected` : "ingested"),
      total("time span", sp.value, sp.sub));
    if (!s.ready) {
      replace(banner, h("div", { class: "banner" }, "The database has no schema yet: is ojo watch still creating it? This page updates by itself."));
    } else if (s.dropped > 0) {
      const bad = tr.filter((t) => t.dropped > 0);
      replace(banner, h("div", { class: "banner", id: "dropped-banner" },
        `⚠ ${fmtCount(s.dropped)} events were dropped by the tracer (ring full or write errors): what you see is incomplete. In `,
        ...bad.flatMap((t, i) => [i ? ", " : "", h("a", { href: "#", title: t.name, onclick: (e: Event) => { e.preventDefault(); setState({ trace: String(t.id) }); } },
          `trace #${t.id} ${t.title ?? t.name}`), `: ${fmtCount(t.dropped)}`]), "."));
    } else if (s.files.rejected > 0) {
      replace(banner, h("div", { class: "banner" }, `${s.files.rejected} input file(s) were rejected by ojo watch (see the files table with ojo query).`));
    } else {
      replace(banner);
    }
  };

  const drawTraces = (): void => {
    if (!traces.length) {
      replace(tracesBox, h("p", { class: "muted" }, "No traces yet. Run ojo watch (or ojo demo) to ingest some."));
      return;
    }
    const rows = traces.map((t) => {
      const on = String(t.id) === st.trace;
      return h("tr", { class: on ? "sel" : "" },
        h("td", { class: "label", title: t.title ? `${t.title}\n${t.name}` : t.name }, h("span", { class: "muted" }, `#${t.id} `), h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); setState({ trace: on ? "" : String(t.id) }); } },
          on ? "▸ " : "", t.title ?? t.name)),
        h("td", {}, t.source),
        h("td", { class: "num" }, fmtCount(t.flows)),
        h("td", { class: "num" }, fmtCount(t.events)),
        h("td", { class: "num" + (t.dropped ? " bad" : "") }, t.dropped ? h("b", { style: "color:var(--err)" }, fmtCount(t.dropped)) : "0"),
        h("td", { class: "num", title: t.first_ns ? `from ${fmtEpoch(Number(t.first_ns))} UTC` : "" },
          t.first_ns && t.last_ns ? fmtDuration(diffNs(t.last_ns, t.first_ns)) : "–"));
    });
    replace(tracesBox, h("table", { id: "traces" },
      h("thead", {}, h("tr", {}, ...["trace", "source", "flows", "events", "dropped", "span"].map((c, i) => h("th", { class: i >= 2 && i <= 5 ? "num" : "" }, c)))),
      h("tbody", {}, ...rows)));
    const t = traces.find((x) => String(x.id) === st.trace);
    replace(traceChip, t ? h("span", { class: "chip" }, `trace ${t.title ?? t.name} `,
      h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); setState({ trace: "" }); } }, "✕")) : "");
  };

  const drawTypes = (): void => {
    const scope = document.getElementById("types-scope");
    if (scope) scope.textContent = `${typesFor ? `in trace #${typesFor}` : "in all traces"} · click to filter flows`;
    const used = types.filter((t) => t.count > 0).sort((a, b) => b.count - a.count);
    const max = used.reduce((m, t) => Math.max(m, t.count), 1);
    if (!used.length) {
      replace(typesBox, h("p", { class: "muted" }, "No events yet."));
    } else {
      replace(typesBox, h("div", { class: "bars" }, ...used.flatMap((t) => {
        const on = String(t.type) === st.type;
        return [
          h("span", { class: "label" + (on ? " on" : ""), title: t.description ?? "", "data-type": t.type,
            onclick: () => setState({ type: on ? "" : String(t.type) }) }, t.name),
          h("div", {}, h("div", { class: "bar", style: `width:${(100 * t.count) / max}%;${on ? "" : "opacity:.75"}` })),
          h("span", { class: "n" }, fmtCount(t.count)),
        ];
      })));
    }
    replace(typeSel, h("option", { value: "" }, "any event type"),
      ...types.filter((t) => t.count > 0 || String(t.type) === st.type).map((t) => h("option", { value: t.type }, `has ${t.name}`)));
    typeSel.value = st.type;
  };

  const drawCompareBar = (): void => {
    const chip = (f: Flow, i: number): HTMLElement => h("span", { class: "chip", title: f.label ?? "" },
      h("b", {}, i ? "B " : "A "), `${f.label ?? `flow ${f.flow_id}`} #${f.key} `,
      h("a", { href: "#", title: "unselect", onclick: (e: Event) => { e.preventDefault(); toggle(f, false); } }, "✕"));
    // sticks to the bottom of the window while the list scrolls
    compareBar.hidden = !picked.length;
    replace(compareBar, h("b", {}, "compare:"),
      ...picked.map(chip),
      picked.length === 2
        ? h("a", { class: "button", id: "compare-go", href: compareHref(picked[0].key, picked[1].key) }, "compare A and B →")
        : h("span", { class: "muted" }, "tick one more flow"));
  };
  const toggle = (f: Flow, on: boolean): void => {
    const i = picked.findIndex((x) => x.key === f.key);
    if (!on && i >= 0) picked.splice(i, 1);
    if (on && i < 0) {
      picked.push(f);
      if (picked.length > 2) picked.shift(); // the oldest gives way
    }
    for (const cb of flowsBox.querySelectorAll<HTMLInputElement>("input.pick")) {
      cb.checked = picked.some((x) => String(x.key) === cb.value);
      cb.closest("tr")?.classList.toggle("picked", cb.checked);
    }
    drawCompareBar();
  };
  drawCompareBar();

  let flowsSeq = 0;
  const loadFlows = async (): Promise<void> => {
    const seq = ++flowsSeq;
    const order = st.order || defaultOrder(st.sort);
    const page = await api.flows({
      q: st.q, kind: st.kind, type: st.type, trace: st.trace, sort: st.sort, order,
      offset: st.page * PAGE, limit: PAGE,
    }).catch((e: Error) => e);
    if (seq !== flowsSeq) return;
    if (page instanceof Error) {
      replace(flowsBox, h("div", { class: "banner error" }, `Could not load flows: ${page.message}`));
      return;
    }
    drawFlows(page.flows, page.total, order);
  };

  const pickBox = (f: Flow): HTMLElement => {
    const cb = h("input", { type: "checkbox", class: "pick", value: f.key, title: "select to compare (two at most)" });
    cb.checked = picked.some((x) => x.key === f.key);
    cb.addEventListener("change", () => toggle(f, cb.checked));
    return cb;
  };

  const drawFlows = (flows: Flow[], totalN: number, order: string): void => {
    const pages = Math.max(1, Math.ceil(totalN / PAGE));
    document.getElementById("flows-total")!.textContent =
      `${fmtCount(totalN)} match${st.q || st.type || st.trace || st.kind !== "all" ? "" : " (all)"}`;
    const th = (label: string, sort?: string): HTMLElement => {
      if (!sort) return h("th", { class: "num" }, label);
      const on = st.sort === sort;
      return h("th", {
        class: `num sortable${on ? " sorted" : ""}${on && order === "asc" ? " asc" : ""}`, "data-sort": sort,
        onclick: () => setState({ sort, order: on ? (order === "asc" ? "desc" : "asc") : "" }),
      }, label);
    };
    if (!flows.length) {
      replace(flowsBox, h("p", { class: "muted" }, totalN ? "No flows on this page." : "No flows match."));
    } else {
      replace(flowsBox, h("table", { id: "flows-table" },
        h("thead", {}, h("tr", {},
          h("th", { title: "tick two flows to compare them" }, "⇄"),
          h("th", {}, "flow"), h("th", {}, "kind"), h("th", {}, "trace"),
          th("start", "start"), th("duration", "duration"), th("events", "events"),
          th("pkts sent"), th("lost", "losses"), th("retrans"), th("bytes sent"), th("max cwnd"), th("streams"))),
        h("tbody", {}, ...flows.map((f) => h("tr", { class: (f.kind === "stream" ? "child" : "") + (picked.some((x) => x.key === f.key) ? " picked" : ""), "data-key": f.key },
          h("td", {}, pickBox(f)),
          h("td", { class: "label", title: f.label ?? "" }, h("a", { href: flowHref(f.key) }, f.label ?? `flow ${f.flow_id}`), h("span", { class: "muted" }, ` #${f.key}`)),
          h("td", {}, f.kind === "stream" && f.parent_key !== null
            ? h("span", {}, "stream of ", h("a", { href: flowHref(f.parent_key) }, `#${f.parent_key}`)) : f.kind),
          h("td", { class: "muted", title: f.trace }, `#${f.trace_id}`),
          h("td", { class: "num", title: fmtStart(Number(f.first_ns)) }, fmtStart(Number(f.first_ns), true)),
          h("td", { class: "num" }, fmtDuration(f.duration_ns)),
          h("td", { class: "num" }, fmtCount(f.events)),
          h("td", { class: "num" }, fmtCount(f.packets_sent)),
          h("td", { class: "num" }, f.packets_lost ? h("b", { style: "color:var(--err)" }, fmtCount(f.packets_lost)) : "0"),
          h("td", { class: "num" }, fmtCount(f.packets_retransmitted)),
          h("td", { class: "num" }, fmtCount(f.bytes_sent)),
          h("td", { class: "num" }, fmtCount(f.max_cwnd)),
          h("td", { class: "num" }, f.streams ? fmtCount(f.streams) : ""))))));
    }
    const go = (p: number) => () => setState({ page: Math.min(Math.max(0, p), pages - 1) }, false);
    replace(pager,
      h("button", { onclick: go(0), disabled: st.page === 0 }, "« first"),
      h("button", { onclick: go(st.page - 1), disabled: st.page === 0, id: "prev-page" }, "‹ prev"),
      h("span", { id: "page-info" }, `page ${st.page + 1} of ${fmtCount(pages)}`),
      h("button", { onclick: go(st.page + 1), disabled: st.page >= pages - 1, id: "next-page" }, "next ›"),
      h("button", { onclick: go(pages - 1), disabled: st.page >= pages - 1 }, "last »"));
  };

  // What the live updates refresh: stats always (cheap); traces and types
  // when a trace changed; the flows page when flows or their counts changed.
  let lastStats: Stats | null = null;
  const loadTop = async (withTraces: boolean): Promise<void> => {
    const [s, tr] = await Promise.all([api.stats(), withTraces ? api.traces() : Promise.resolve(traces)]);
    traces = tr;
    lastStats = s;
    drawStats(s, tr);
    drawTraces();
  };
  // the distribution follows the trace filter
  let typesFor = "";
  const loadTypes = async (): Promise<void> => {
    const trace = st.trace;
    const t = await api.types(trace ? { trace: Number(trace) } : {});
    if (trace !== st.trace) return;
    types = t;
    typesFor = trace;
    drawTypes();
  };
  const refreshTraces = throttled(() => loadTop(true));
  const refreshStats = throttled(() => loadTop(false));
  const refreshTypes = throttled(loadTypes, 1000);
  const refreshFlows = throttled(loadFlows, 700);

  void loadTop(true);
  void loadTypes();
  void loadFlows();

  const off = onLive((c) => {
    if (c.new_traces.length || c.updated_traces.length || !lastStats || c.dropped !== lastStats.dropped) refreshTraces();
    else refreshStats();
    if (c.new_events > 0 || c.new_traces.length) refreshTypes();
    if (c.new_flows > 0 || c.updated_traces.length) refreshFlows();
  });
  return off;
}

/** The span of the traces with wall clocks; traces whose clock is relative
 * (times near 0) are not on the same axis, and are only counted. */
function timeSpan(s: Stats, tr: Trace[]): { value: string; sub: string } {
  if (!s.first_ns || !s.last_ns) return { value: "–", sub: "" };
  const timed = tr.filter((t) => t.first_ns && t.last_ns);
  const abs = timed.filter((t) => !isRelativeClock(Number(t.first_ns)));
  const rel = timed.length - abs.length;
  const relNote = rel ? `+${rel} undated trace${rel > 1 ? "s" : ""}` : "";
  if (!abs.length) {
    const longest = timed.reduce((m, t) => Math.max(m, diffNs(t.last_ns!, t.first_ns!)), 0);
    return { value: fmtDuration(longest), sub: "longest trace · relative clocks, no dates" };
  }
  if (!rel) return { value: fmtDuration(diffNs(s.last_ns, s.first_ns)), sub: `${fmtEpoch(Number(s.first_ns))} UTC` };
  const first = abs.reduce((m, t) => (BigInt(t.first_ns!) < BigInt(m) ? t.first_ns! : m), abs[0].first_ns!);
  const last = abs.reduce((m, t) => (BigInt(t.last_ns!) > BigInt(m) ? t.last_ns! : m), abs[0].last_ns!);
  return { value: fmtDuration(diffNs(last, first)), sub: `${fmtEpoch(Number(first))} UTC · ${relNote}` };
}

function total(label: string, value: string, sub = "", bad = false): HTMLElement {
  return h("div", { class: "total" + (bad ? " bad" : ""), "data-total": label },
    h("b", {}, value), h("span", {}, label + (sub ? ` · ${sub}` : "")));
}

