// Entry point: routes the hash to the dashboard or a flow view, and
// starts the live-update stream.
import { byId, h, replace } from "./dom";
import { showDashboard } from "./dashboard";
import { FlowView, showFlow } from "./flow";
import { startLive } from "./live";
import { onRouteChange, parseHash, Route } from "./url";

const app = byId("app");
const crumbs = byId("crumbs");
let cleanup: (() => void) | null = null;
let flow: { key: string; view: FlowView } | null = null;

function route(r: Route): void {
  if (r.view === "flow" && flow && flow.key === r.key) {
    flow.view.update(r); // same flow: only the range or overlays changed
    return;
  }
  cleanup?.();
  cleanup = null;
  flow = null;
  // state the previous view published (tests and tools read these)
  for (const k of ["ready", "from", "to"]) delete app.dataset[k];
  window.scrollTo(0, 0);
  if (r.view === "flow") {
    replace(crumbs, h("a", { href: "#/" }, "dashboard"), " / flow ", r.key);
    const view = showFlow(app, r.key, r);
    flow = { key: r.key, view };
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
