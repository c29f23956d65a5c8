// Live updates: one EventSource on /api/live shared by every view. Views
// subscribe and get each "change" message; the header shows the state.
import type { LiveChange } from "./api";

type Listener = (c: LiveChange) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let lastVersion = -1;

export function startLive(indicator: HTMLElement): void {
  if (source) return;
  source = new EventSource("/api/live");
  const set = (on: boolean): void => {
    indicator.classList.toggle("off", !on);
    indicator.title = on ? "live: connected to ojo serve" : "live: disconnected, retrying";
  };
  source.onopen = () => set(true);
  source.onerror = () => set(false);
  const handle = (ev: MessageEvent<string>, isHello: boolean): void => {
    let c: LiveChange;
    try {
      c = JSON.parse(ev.data) as LiveChange;
    } catch {
      return;
    }
    set(true);
    // hello after a reconnect may announce data we missed meanwhile.
    const changed = lastVersion >= 0 && c.data_version !== lastVersion;
    lastVersion = c.data_version;
    if (isHello && !changed) return;
    for (const l of listeners) l(c);
  };
  source.addEventListener("hello", (ev) => handle(ev as MessageEvent<string>, true));
  source.addEventListener("change", (ev) => handle(ev as MessageEvent<string>, false));
}

/** Calls fn on every change; returns the function that unsubscribes. */
export function onLive(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Wraps an async refresh so it runs at most once at a time and at most
 * every minMs; calls during a run or the quiet time coalesce into one. */
export function throttled(fn: () => Promise<void>, minMs = 500): () => void {
  let running = false;
  let pending = false;
  let last = 0;
  const run = async (): Promise<void> => {
    const wait = last + minMs - Date.now();
    if (wait > 0) {
      setTimeout(() => void run(), wait);
      return;
    }
    running = true;
    pending = false;
    last = Date.now();
    try {
      await fn();
    } catch (e) {
      console.error(e);
    } finally {
      running = false;
      if (pending) void run();
    }
  };
  return () => {
    if (running) {
      pending = true;
      return;
    }
    if (pending) return;
    pending = true;
    void run();
  };
}
