import { setText, tr, value, has, formatNumber } from "./i18n.js";

/**
 * The controller status line: state, position, link; the Home button shows when the head
 * must home before it can mark (not homed, or in alarm after a reset).
 */
const $ = (id) => document.getElementById(id);

export function renderController(c) {
  const line = $("controller-line");
  line.dataset.state = c.state ?? "Disconnected";
  const state = $("ctl-state");
  // Redrawn only when the state changes: it is a live region, and reports come 5 times a second.
  if (state.dataset.shown !== String(c.state)) {
    state.dataset.shown = String(c.state);
    state.replaceChildren(has(`ctl.state.${c.state}`) ? tr("span", `ctl.state.${c.state}`) : value("span", String(c.state ?? "")));
  }
  const pos = c.position ?? { x: 0, y: 0 };
  setText($("ctl-position"), "ctl.position", { x: formatNumber(pos.x, 3), y: formatNumber(pos.y, 3) });
  setText($("ctl-link"), c.connected ? (c.kind === "sim" ? "ctl.connectedSim" : "ctl.connected") : "ctl.disconnected", { port: c.port ?? "" });
  const needsHome = c.connected && (!c.homed || c.state === "Alarm");
  $("ctl-homed").hidden = !c.connected || (c.homed && c.state !== "Alarm");
  setText($("ctl-homed"), c.state === "Alarm" ? "ctl.alarm" : "ctl.notHomed");
  $("home-btn").hidden = !needsHome;
  $("home-btn").disabled = c.state === "Home" || c.state === "Run";
  const msg = $("ctl-message");
  if (msg.textContent !== (c.message ?? "")) {
    msg.replaceChildren();
    if (c.message) {
      msg.append(value("span", c.message));
      msg.lastChild.lang = "en";
    }
  }
}
