// The flow view's events table: the events of the selected range, paged
// with the server's cursor (a stack of cursors gives "previous").
import { api, OjoEvent, TypeCount } from "./api";
import { h, replace } from "./dom";
import { fmtBytes, fmtCount, fmtDuration, fmtOffset, fmtValue } from "./format";
import { flowHref } from "./url";

const LIMIT = 50;

export class EventsTable {
  readonly el = h("div", { id: "events" });
  private body = h("div", { class: "scroll" });
  private info = h("span", { class: "muted" });
  private typeSel = h("select", { id: "events-type" });
  private children = h("input", { type: "checkbox", id: "events-children" });
  private prev = h("button", { id: "events-prev" }, "‹ prev");
  private next = h("button", { id: "events-next" }, "next ›");
  private cursors: (string | null)[] = [null]; // cursor of each page seen
  private page = 0;
  private range: [number, number] = [0, 0];
  private seq = 0;
  private units = new Map<number, TypeCount>();

  constructor(
    private key: number,
    isConnection: boolean,
    types: TypeCount[],
    /** "stream 4" for a flow key of this view */
    private nameOf: (key: number) => string = (k) => `#${k}`,
  ) {
    for (const t of types) this.units.set(t.type, t);
    this.children.checked = isConnection;
    replace(this.typeSel, h("option", { value: "" }, "all types"),
      ...types.filter((t) => t.count > 0).map((t) => h("option", { value: t.type }, `${t.name} (${fmtCount(t.count)})`)));
    this.typeSel.addEventListener("change", () => this.reload());
    this.children.addEventListener("change", () => this.reload());
    this.prev.addEventListener("click", () => this.go(this.page - 1));
    this.next.addEventListener("click", () => this.go(this.page + 1));
    replace(this.el,
      h("div", { class: "toolbar" }, this.typeSel,
        isConnection ? h("label", {}, this.children, " include its streams") : null, this.info),
      this.body,
      h("div", { class: "pager" }, this.prev, this.next));
  }

  setTypes(types: TypeCount[]): void {
    for (const t of types) this.units.set(t.type, t);
  }

  setRange(from: number, to: number): void {
    this.range = [Math.floor(from), Math.ceil(to)];
    this.reload();
  }

  reload(): void {
    this.cursors = [null];
    void this.go(0);
  }

  private async go(page: number): Promise<void> {
    if (page < 0 || page >= this.cursors.length) return;
    const seq = ++this.seq;
    const cursor = this.cursors[page];
    const res = await api.events(this.key, {
      from: this.range[0], to: this.range[1], limit: LIMIT, types: this.typeSel.value,
      include_children: this.children.checked, cursor,
    }).catch((e: Error) => e);
    if (seq !== this.seq) return;
    if (res instanceof Error) {
      replace(this.body, h("div", { class: "banner error" }, `Could not load events: ${res.message}`));
      return;
    }
    this.page = page;
    if (res.next_cursor && this.cursors.length === page + 1) this.cursors.push(res.next_cursor);
    this.prev.disabled = page === 0;
    this.next.disabled = !res.next_cursor;
    const first = page * LIMIT;
    this.info.textContent = res.total
      ? `events ${fmtCount(first + 1)}–${fmtCount(first + res.events.length)} of ${fmtCount(res.total)} in the selected range`
      : "";
    if (!res.events.length) {
      replace(this.body, h("p", { class: "muted" }, "No events in the selected range."));
      return;
    }
    replace(this.body, h("table", { id: "events-table" },
      h("thead", {}, h("tr", {}, h("th", { class: "num", title: "since the flow's first event" }, "time since start"), h("th", {}, "flow"), h("th", {}, "event"), h("th", {}, "value"), h("th", {}, "raw payload"))),
      h("tbody", {}, ...res.events.map((e) => h("tr", {},
        h("td", { class: "num", title: `${fmtCount(e.t)} ns after the flow start` }, fmtOffset(e.t)),
        h("td", {}, e.flow === this.key ? h("span", { class: "muted" }, "this flow") : h("a", { href: flowHref(e.flow), title: `flow key ${e.flow}` }, this.nameOf(e.flow))),
        h("td", {}, e.name),
        h("td", {}, this.describe(e)),
        h("td", { class: "muted" }, e.payload))))));
  }

  private describe(e: OjoEvent): string {
    if (e.offset !== undefined && e.length !== undefined) {
      return `offset ${fmtCount(e.offset)}, ${fmtBytes(e.length)} (to ${fmtCount(e.offset + e.length)})`;
    }
    if (e.old_pn !== undefined && e.new_pn !== undefined) return `pn ${e.old_pn} → ${e.new_pn}`;
    const t = this.units.get(e.type);
    const kind = t?.payload_kind ?? "count";
    if (kind === "none") return "";
    if (e.payload === "18446744073709551615") return "∞ (not set)";
    if (e.value === null) return e.payload;
    if (kind === "duration_ns") return fmtDuration(e.value);
    if (kind === "bytes") return fmtBytes(e.value);
    if (kind === "rate") return `${fmtBytes(e.value)}/s`;
    if (kind === "flow") return `flow ${e.value}`;
    return fmtValue(e.value, t?.unit ?? "");
  }
}
