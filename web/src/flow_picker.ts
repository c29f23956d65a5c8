// "Compare with…": a searchable list of flows to put beside this one. The
// flow view opens it to start a comparison, the compare view to replace
// one side. (The dashboard's flows list offers the same by ticking two.)
import { api, Flow } from "./api";
import { h, replace } from "./dom";
import { fmtCount, fmtDuration, fmtStart } from "./format";

const LIMIT = 15;

export class FlowPicker {
  readonly el = h("div", { class: "picker", id: "compare-picker", hidden: true });
  private search = h("input", { type: "search", placeholder: "search label, trace, flow id…", size: 30, id: "compare-search" });
  private kind = h("select", { id: "compare-kind" },
    h("option", { value: "connections" }, "connections"),
    h("option", { value: "streams" }, "streams"),
    h("option", { value: "all" }, "all flows"));
  private list = h("div", { class: "scroll", id: "compare-results" });
  private seq = 0;
  private timer = 0;

  constructor(
    /** the flow already shown: left out of the list */
    private self: Flow,
    private onPick: (f: Flow) => void,
    title = `Compare ${self.label ?? `flow ${self.flow_id}`} with…`,
  ) {
    this.kind.value = self.kind === "stream" ? "streams" : "connections";
    this.search.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.load(), 200);
    });
    this.kind.addEventListener("change", () => void this.load());
    this.el.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.close();
    });
    replace(this.el,
      h("div", { class: "toolbar" }, h("b", {}, title), this.search, this.kind,
        h("span", { class: "muted" }, "click a flow to compare · or tick two flows in the dashboard's list"),
        h("span", { style: "flex:1" }), h("button", { onclick: () => this.close(), title: "close (Esc)" }, "✕")),
      this.list);
  }

  toggle(): void {
    if (this.el.hidden) this.open();
    else this.close();
  }

  open(): void {
    this.el.hidden = false;
    this.search.focus();
    void this.load();
  }

  close(): void {
    this.el.hidden = true;
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    const q = this.search.value.trim();
    const res = await api.flows({ q, kind: this.kind.value, sort: "start", limit: LIMIT + 1 }).catch((e: Error) => e);
    if (seq !== this.seq) return;
    if (res instanceof Error) {
      replace(this.list, h("div", { class: "banner error" }, `Could not load flows: ${res.message}`));
      return;
    }
    const flows = res.flows.filter((f) => f.key !== this.self.key).slice(0, LIMIT);
    if (!flows.length) {
      replace(this.list, h("p", { class: "muted" }, "No other flow matches."));
      return;
    }
    replace(this.list, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "flow"), h("th", {}, "kind"), h("th", {}, "trace"), h("th", { class: "num" }, "start"),
        h("th", { class: "num" }, "duration"), h("th", { class: "num" }, "events"), h("th", { class: "num" }, "lost"))),
      h("tbody", {}, ...flows.map((f) => h("tr", { class: "pick", "data-key": f.key, title: "compare with this flow", onclick: () => { this.close(); this.onPick(f); } },
        h("td", { class: "label" }, h("a", { href: "#", onclick: (e: Event) => e.preventDefault() }, f.label ?? `flow ${f.flow_id}`), h("span", { class: "muted" }, ` #${f.key}`)),
        h("td", {}, f.kind),
        h("td", { class: "muted", title: f.trace }, `#${f.trace_id}`),
        h("td", { class: "num" }, fmtStart(Number(f.first_ns), true)),
        h("td", { class: "num" }, fmtDuration(f.duration_ns)),
        h("td", { class: "num" }, fmtCount(f.events)),
        h("td", { class: "num" }, fmtCount(f.packets_lost)))))),
      res.total > LIMIT + 1 ? h("p", { class: "muted" }, `${fmtCount(res.total)} match: type to narrow the list.`) : null);
  }
}
