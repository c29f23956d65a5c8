// Typed access to the JSON API of `ojo serve` (docs/API.md). Absolute
// times are decimal strings; flow-scoped times are ns relative to base_ns.

export interface Stats {
  ready: boolean;
  traces: number;
  flows: number;
  connections: number;
  streams: number;
  events: number;
  dropped: number;
  types: number;
  files: { ingested: number; rejected: number };
  first_ns: string | null;
  last_ns: string | null;
  data_version: number;
}

export interface Trace {
  id: number;
  name: string;
  source: string;
  pid: number;
  vantage: string | null;
  title: string | null;
  first_ns: string | null;
  last_ns: string | null;
  events: number;
  flows: number;
  dropped: number;
}

export interface TypeCount {
  type: number;
  name: string;
  category: string;
  description?: string;
  payload_kind?: string;
  unit?: string;
  count: number;
}

export interface Flow {
  key: number;
  trace_id: number;
  trace: string;
  flow_id: number;
  parent_key: number | null;
  label: string | null;
  kind: "connection" | "stream";
  first_ns: string;
  last_ns: string;
  duration_ns: number;
  events: number;
  packets_sent: number;
  packets_received: number;
  packets_acked: number;
  packets_lost: number;
  packets_retransmitted: number;
  bytes_sent: number;
  bytes_acked: number;
  max_cwnd: number | null;
  last_cwnd: number | null;
  streams: number;
}

export interface FlowPage {
  total: number;
  offset: number;
  limit: number;
  flows: Flow[];
}

export interface FlowDetail {
  base_ns: string;
  flow: Flow;
  parent: Flow | null;
  streams: Flow[];
  types: TypeCount[];
  metrics: Record<string, number>;
  missing: string[];
}

export interface OjoEvent {
  t: number;
  flow: number;
  type: number;
  name: string;
  payload: string;
  value: number | null;
  offset?: number;
  length?: number;
  old_pn?: number;
  new_pn?: number;
}

export interface EventPage {
  base_ns: string;
  from: number;
  to: number;
  total: number;
  events: OjoEvent[];
  next_cursor: string | null;
}

export interface SeriesPart {
  flow: number;
  label: string | null;
  t: number[];
  min: number[];
  max: number[];
  n: number[];
}

export interface Series {
  metric: string;
  unit: string;
  kind: "value" | "range";
  base_ns: string;
  from: number;
  to: number;
  points: number;
  count: number;
  exact: boolean;
  bucket_ns: number;
  series: SeriesPart[];
}

export interface LiveChange {
  data_version: number;
  traces: number;
  flows: number;
  events: number;
  dropped: number;
  files: number;
  new_traces: number[];
  updated_traces: number[];
  new_flows: number;
  new_events: number;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly param?: string,
  ) {
    super(message);
  }
}

type Params = Record<string, string | number | boolean | null | undefined>;

/** "/api/x?a=1" from a path and the parameters that are set. */
export function apiUrl(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    q.set(k, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  const qs = q.toString();
  return `/api/${path}${qs ? "?" + qs : ""}`;
}

async function get<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  const res = await fetch(apiUrl(path, params), { signal });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (body ?? {}) as { error?: string; param?: string };
    throw new ApiError(e.error ?? `HTTP ${res.status}`, res.status, e.param);
  }
  return body as T;
}

export const api = {
  stats: () => get<Stats>("stats"),
  traces: () => get<{ traces: Trace[] }>("traces").then((r) => r.traces),
  types: (p: { flow?: number | string; trace?: number } = {}) =>
    get<{ types: TypeCount[] }>("types", p).then((r) => r.types),
  flows: (p: Params) => get<FlowPage>("flows", p),
  flow: (key: string | number) => get<FlowDetail>(`flows/${encodeURIComponent(String(key))}`),
  events: (key: number, p: Params, signal?: AbortSignal) => get<EventPage>(`flows/${key}/events`, p, signal),
  series: (key: number, p: Params, signal?: AbortSignal) => get<Series>(`flows/${key}/series`, p, signal),
};

/** base + rel as an absolute epoch-ns string, exact (BigInt). */
export function absNs(base: string, rel: number): string {
  return (BigInt(base) + BigInt(Math.round(rel))).toString();
}

/** a - b for two epoch-ns strings, as a number of ns. */
export function diffNs(a: string, b: string): number {
  return Number(BigInt(a) - BigInt(b));
}
