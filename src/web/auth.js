import { get, signIn, signOut, signedIn } from "./api.js";
import { setText } from "./i18n.js";
import { clearFieldErrors, showFieldError } from "./fields.js";

/**
 * Who uses the page: the bench's technician, or an operator signed in on it. An operator signs
 * in with their name and, on a station with tokens, their own token (checked with the station
 * before it is kept, for this tab only); their name goes with every request into the station's
 * log. Elements marked `data-role="operator"` show only to an operator, `data-role="technician"`
 * only to a technician (what to do to become one). Without tokens every client on the bench
 * computer is an operator already; signing in then only gives the log a name.
 */
const $ = (id) => document.getElementById(id);
let you = { role: "technician", tokens: false };

export function role() {
  return you.role;
}

export function tokensConfigured() {
  return you.tokens;
}

/** Show the caller's role and the controls for it. */
export function applyRole(next) {
  you = next ?? you;
  const op = signedIn();
  document.body.dataset.role = you.role;
  for (const el of document.querySelectorAll("[data-role]")) {
    if (el === document.body || el.id === "role-badge") continue;
    el.hidden = el.dataset.role !== you.role;
  }
  const badge = $("role-badge");
  badge.dataset.role = you.role;
  if (op) setText(badge, "auth.asOperator", { name: op.name });
  else setText(badge, you.role === "operator" ? (you.tokens ? "auth.roleOperator" : "auth.roleOperatorNoTokens") : "auth.roleTechnician");
  $("signin-btn").hidden = !!op;
  $("signout-btn").hidden = !op;
}

export function setupAuth(onChange) {
  const dialog = $("signin-dialog");
  const form = $("signin-form");
  $("signin-btn").addEventListener("click", () => {
    clearFieldErrors(form);
    $("si-token-field").hidden = !you.tokens;
    setText($("signin-text"), you.tokens ? "auth.textTokens" : "auth.textNoTokens");
    $("f-si-name").value = "";
    $("f-si-token").value = "";
    dialog.showModal();
    $("f-si-name").focus();
  });
  $("signin-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const name = $("f-si-name").value.trim();
    const token = $("f-si-token").value.trim();
    if (!name) {
      showFieldError(form, { path: "si.name", key: "err.operatorMissing", code: "E_SCHEMA" });
      $("f-si-name").focus();
      return;
    }
    if (you.tokens) {
      // The station says whose token it is: only an operator's signs in.
      try {
        const res = await fetch("api/station", { headers: { accept: "application/json", authorization: `Bearer ${token}` } });
        const body = await res.json().catch(() => null);
        if (!res.ok || body?.you?.role !== "operator") {
          showFieldError(form, { path: "si.token", key: res.ok ? "auth.notOperator" : "err.E_AUTH", code: res.ok ? "E_FORBIDDEN" : "E_AUTH" });
          $("f-si-token").focus();
          return;
        }
        you = body.you;
      } catch {
        showFieldError(form, { path: "si.token", key: "err.E_NETWORK", code: "E_NETWORK" });
        return;
      }
    }
    signIn(name, you.tokens ? token : "");
    dialog.close();
    await onChange();
  });
  $("signout-btn").addEventListener("click", async () => {
    signOut();
    await onChange();
  });
}

/** Ask the station who the current token makes us. */
export async function refreshRole() {
  const info = await get("station");
  applyRole(info.you);
  return info;
}
