// Entry point: routes the hash to the dashboard, a flow view or the
// compare view of two flows, and starts the live-update stream.
import { byId, h, replace } from "./dom";
import { CompareView, showCompare } from "./compare";
import { showDashboard } from "./dashboard";
import { FlowView, showFlow } from "./flow";
import { startLive } from "./live";
import { flowHref, onRouteChange, parseHash, Route } from "./url";

const app = byId("app");
const crumbs = byId("crumbs");
let cleanup: (() => void) | null = null;
let flow: { key: string; view: FlowView } | null = null;
let compare: { keys: string; view: CompareView } | null = null;

/** The pair of a compare route, in either order. */
const pairOf = (r: Route): string => [r.key, r.other].sort().join("/");

function compareCrumbs(r: Route): void {
  replace(crumbs, h("a", { href: "#/" }, "dashboard"), " / compare ",
    h("a", { href: flowHref(r.key) }, r.key), " ↔ ", h("a", { href: flowHref(r.other) }, r.other));
}

function route(r: Route): void {
  if (r.view === "flow" && flow && flow.key === r.key) {
    flow.view.update(r); // same flow: only the range or overlays changed
    return;
  }
  if (r.view === "compare" && compare && compare.keys === pairOf(r)) {
    compare.view.update(r); // same flows: range, alignment or order changed
    compareCrumbs(r);
    return;
  }
  cleanup?.();
  cleanup = null;
  flow = null;
  compare = null;
  // state the previous view published (tests and tools read these)
  for (const k of ["ready", "from", "to", "align"]) delete app.dataset[k];
  window.scrollTo(0, 0);
  if (r.view === "flow") {
    replace(crumbs, h("a", { href: "#/" }, "dashboard"), " / flow ", r.key);
    const view = showFlow(app, r.key, r);
    flow = { key: r.key, view };
    cleanup = () => view.destroy();
  } else if (r.view === "compare") {
    compareCrumbs(r);
    const view = showCompare(app, r);
    compare = { keys: pairOf(r), view };
    cleanup = () => view.destroy();
  } else {
    replace(crumbs, "dashboard");
    document.title = "Ojo explorer";
    cleanup = showDashboard(app);
  }
  app.dataset.view = r.view;
}

startLive(byId("live"));
onRouteChange(route);
route(parseHash());
