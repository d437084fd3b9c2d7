import { setText, tr, value, has } from "./i18n.js";

/**
 * The controller status line: state, position, link; the Home button shows when the head
 * must home before it can mark (not homed, or in alarm after a reset). What the controller
 * says (an alarm, a [MSG:…], a link error) is said in the page's language; its own English
 * words stay in the element's title for maintenance.
 */
const $ = (id) => document.getElementById(id);

/** GRBL's [MSG:…] texts (report.c) and the bridge's link states, by key. */
const MESSAGES = [
  [/^Reset to continue$/i, "ctlmsg.reset"],
  [/^'\$H'\|'\$X' to unlock$/i, "ctlmsg.unlock"],
  [/^Caution: Unlocked$/i, "ctlmsg.unlocked"],
  [/^Check Door$/i, "ctlmsg.door"],
  [/^Check Limits$/i, "ctlmsg.limits"],
  [/^Pgm End$/i, "ctlmsg.pgmEnd"],
  [/^Sleeping$/i, "ctlmsg.sleeping"],
  [/^(Enabled|Disabled)$/i, "ctlmsg.checkMode"],
  [/^Restoring (defaults|spindle)$/i, "ctlmsg.restoring"],
];

/** What a controller message means for the technician: `{ key, params }`. */
export function controllerMessage(text) {
  const alarm = /^ALARM:(\d+)/.exec(text);
  if (alarm) return { key: has(`alarm.${alarm[1]}`) ? `alarm.${alarm[1]}` : "alarm.unknown", params: { code: alarm[1] } };
  for (const [re, key] of MESSAGES) if (re.test(text)) return { key, params: {} };
  if (/not connected|disconnected|closed|cannot open|no such file|ENOENT|EACCES|busy|lock/i.test(text)) return { key: "ctlmsg.link", params: {} };
  return { key: "ctlmsg.unknown", params: {} };
}

export function renderController(c) {
  const line = $("controller-line");
  line.dataset.state = c.state ?? "Disconnected";
  const state = $("ctl-state");
  // Redrawn only when the state changes: it is a live region, and reports come 5 times a second.
  if (state.dataset.shown !== String(c.state)) {
    state.dataset.shown = String(c.state);
    state.replaceChildren(has(`ctl.state.${c.state}`) ? tr("span", `ctl.state.${c.state}`) : value("span", String(c.state ?? "")));
  }
  // Where the head is in the program's coordinates (the preview's grid); the machine's own
  // position, so labelled, until the controller has reported its work offset.
  const pos = c.workPosition ?? c.position ?? { x: 0, y: 0 };
  // Numbers as numbers: a language switch writes them again in the new locale.
  setText($("ctl-position"), c.workPosition ? "ctl.position" : "ctl.machinePosition", { x: pos.x, y: pos.y });
  setText($("ctl-link"), c.connected ? (c.kind === "sim" ? "ctl.connectedSim" : "ctl.connected") : "ctl.disconnected", { port: c.port ?? "" });
  const needsHome = c.connected && (!c.homed || c.state === "Alarm");
  $("ctl-homed").hidden = !c.connected || (c.homed && c.state !== "Alarm");
  setText($("ctl-homed"), c.state === "Alarm" ? "ctl.alarm" : "ctl.notHomed");
  $("home-btn").hidden = !needsHome;
  $("home-btn").disabled = c.state === "Home" || c.state === "Run";
  const msg = $("ctl-message");
  const text = c.message ?? "";
  if (msg.dataset.shown !== text) {
    msg.dataset.shown = text;
    msg.replaceChildren();
    if (text) {
      const m = controllerMessage(text);
      const el = tr("span", m.key, m.params);
      el.title = text;
      msg.append(el);
    }
  }
}
