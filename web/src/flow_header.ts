// The flow view's header (what the flow is, its counts, what the trace
// does not hold) and its export links.
import { apiUrl, FlowDetail } from "./api";
import { h, replace } from "./dom";
import { fmtBytes, fmtCount, fmtDuration, fmtStart } from "./format";
import { otherDirection } from "./panels";
import { flowHref } from "./url";

export function renderFlowHeader(el: HTMLElement, d: FlowDetail): void {
  const f = d.flow;
  const name = f.label ?? `flow ${f.flow_id}`;
  document.title = `${name} · Ojo`;
  const kv = (k: string, val: string | Node): HTMLElement => h("span", {}, `${k} `, h("b", {}, val));
  replace(el,
    h("div", { class: "flowhead" },
      h("h1", { id: "flow-title" }, name),
      h("span", { class: "chip" }, f.kind),
      f.kind === "stream" && d.parent
        ? h("span", {}, "stream of ", h("a", { href: flowHref(d.parent.key), id: "parent-link" }, d.parent.label ?? `flow ${d.parent.flow_id}`))
        : null,
      h("span", { class: "muted" }, `trace ${f.trace} · flow id ${f.flow_id} · key ${f.key}`)),
    h("div", { class: "kv" },
      kv("start", f.events ? fmtStart(Number(d.base_ns)) : "–"),
      kv("duration", fmtDuration(f.duration_ns)),
      kv("events", fmtCount(f.events)),
      // packets belong to the connection: a stream's counts are always 0
      ...(f.kind === "stream" ? [] : [
        kv("packets sent", fmtCount(f.packets_sent)),
        kv("lost", fmtCount(f.packets_lost)),
        kv("retransmitted", fmtCount(f.packets_retransmitted))]),
      ...bytesKv(d, kv),
      f.max_cwnd !== null ? kv("max cwnd", fmtBytes(f.max_cwnd)) : null,
      f.kind === "connection" ? kv("streams", fmtCount(f.streams)) : null),
    f.events === 0 ? h("div", { class: "banner" }, "This flow holds no events.") : null,
    missingSummary(d));
}

// Metrics a stack records on the connection, not on its streams.
const CONNECTION_LEVEL = new Set(["cwnd", "ssthresh", "bytes_in_flight", "rtt_sample", "smoothed_rtt", "min_rtt", "rtt_var",
  "pacing_rate", "max_data", "recovery_state", "packet_lost"]);

/** What the trace does not hold for this flow. A stream lacks the
 * connection-level metrics by design: say where they are instead of
 * listing them as missing. */
function missingSummary(d: FlowDetail): HTMLElement | null {
  if (!d.missing.length) return null;
  const onConn = d.flow.kind === "stream" && d.parent !== null;
  const own = d.missing.filter((m) => !(onConn && CONNECTION_LEVEL.has(m)) && !otherDirection(d, m));
  if (!own.length && !onConn) return null;
  return h("p", { class: "muted", id: "missing-summary" },
    own.length ? `Not recorded for this flow: ${own.join(", ")}. ` : "",
    onConn ? h("span", {}, "Congestion control, RTT and packet loss are recorded on ",
      h("a", { href: flowHref(d.parent!.key) }, "its connection"), ". ") : "",
    "The panels below show what the trace holds.");
}

/** Stream data sent and acked. Data events live on the streams: when a
 * connection's own counts are 0, these are the sums over its streams
 * (`streams` says over how many; 0 when they are the flow's own). */
export function bytesOf(d: FlowDetail): { sent: number; acked: number; streams: number } {
  const f = d.flow;
  if (f.kind !== "connection" || f.bytes_sent || f.bytes_acked || !d.streams.length) {
    return { sent: f.bytes_sent, acked: f.bytes_acked, streams: 0 };
  }
  const sum = (k: "bytes_sent" | "bytes_acked"): number => d.streams.reduce((a, s) => a + s[k], 0);
  return { sent: sum("bytes_sent"), acked: sum("bytes_acked"), streams: d.streams.length };
}

function bytesKv(d: FlowDetail, kv: (k: string, v: string) => HTMLElement): HTMLElement[] {
  const b = bytesOf(d);
  const of = b.streams ? ` (${b.streams} streams)` : "";
  return [kv("bytes sent", fmtBytes(b.sent) + of), kv("bytes acked", fmtBytes(b.acked) + of)];
}

/** CSV/JSON/qlog links for the flow (with its streams) and the range
 * shown, or the whole flow when range is null. */
export function renderExport(el: HTMLElement, d: FlowDetail, range: [number, number] | null, qlogOff: string): void {
  const p = {
    flow: d.flow.key,
    include_children: d.flow.kind === "connection" ? 1 : null,
    from: range ? range[0] : null,
    to: range ? range[1] : null,
  };
  replace(el, h("span", { class: "muted" }, "export:"),
    ...(["csv", "json", "qlog"] as const).map((fmt) => fmt === "qlog" && qlogOff
      ? h("span", { class: "chip off", id: "export-qlog", title: qlogOff }, "QLOG")
      : h("a", { href: apiUrl("export", { ...p, format: fmt }), download: "", class: "chip", id: `export-${fmt}`,
        title: `${fmt.toUpperCase()} of ${range ? "the selected range" : "the whole flow"}` }, fmt.toUpperCase())));
}

/** "" when the server exports qlog, else its reason (a build option). */
export async function qlogUnavailable(key: number): Promise<string> {
  const res = await fetch(apiUrl("export", { flow: key, format: "qlog", from: 0, to: 0 })).catch(() => null);
  if (res && res.status === 400) {
    const e = (await res.json().catch(() => ({}))) as { error?: string; param?: string };
    if (e.param === "format") return e.error ?? "qlog export is not available";
    return "";
  }
  await res?.body?.cancel().catch(() => undefined);
  return "";
}
