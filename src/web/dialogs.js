import { setText } from "./i18n.js";
import { showFieldError, clearFieldErrors, errorLine } from "./fields.js";
import { placeError } from "./errors.js";
import { signedIn } from "./api.js";

/**
 * The operator's acts that change what a serial, a number or a profile may be used for —
 * release, void, retire — ask for the operator's name and a written reason in one dialog,
 * and stay open showing the station's refusal until it is done or cancelled.
 */
const $ = (id) => document.getElementById(id);

/**
 * Ask, then `act({ operator, reason })`; resolves with what `act` returned, or null when
 * cancelled. `confirmKey` names the button (one word per act: "Release", "Void", "Retire").
 */
export function askReason({ titleKey, textKey, params = {}, confirmKey }, act) {
  const dialog = $("action-dialog");
  const form = $("action-form");
  setText($("action-title"), titleKey, params);
  setText($("action-text"), textKey, params);
  setText($("action-confirm"), confirmKey);
  clearFieldErrors(form);
  $("action-errors").replaceChildren();
  $("f-a-operator").value = signedIn()?.name ?? "";
  $("f-a-reason").value = "";
  dialog.showModal();
  ($("f-a-operator").value ? $("f-a-reason") : $("f-a-operator")).focus();
  return new Promise((resolve) => {
    const done = (v) => {
      form.removeEventListener("submit", onSubmit);
      $("action-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open) dialog.close();
      resolve(v);
    };
    const onCancel = () => done(null);
    const onSubmit = async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      $("action-errors").replaceChildren();
      const operator = $("f-a-operator").value.trim();
      const reason = $("f-a-reason").value.trim();
      if (!operator) showFieldError(form, { path: "a.operator", key: "err.operatorMissing", code: "E_SCHEMA" });
      if (reason.length < 10) showFieldError(form, { path: "a.reason", key: "issue.tooShort", params: { n: 10 }, code: "E_SCHEMA" });
      if (!operator || reason.length < 10) {
        form.querySelector("[aria-invalid]")?.focus();
        return;
      }
      try {
        done(await act({ operator, reason }));
      } catch (err) {
        const { fields, general } = placeError(err);
        for (const f of fields) {
          const path = f.path === "operator" ? "a.operator" : f.path === "reason" ? "a.reason" : undefined;
          if (!path || !showFieldError(form, { ...f, path })) general.push(f);
        }
        for (const g of general) {
          const p = document.createElement("p");
          p.append(errorLine(g));
          $("action-errors").append(p);
        }
      }
    };
    form.addEventListener("submit", onSubmit);
    $("action-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
  });
}
