import { tr, value, has, currentLocale } from "./i18n.js";

/**
 * The record inputs the page knows, in form order, grouped in fieldsets. `path` is the
 * record path (array items as `.N`); `max` mirrors the record schema's limits.
 */
const INPUTS = [
  { path: "serial", group: "part", max: 40, scan: true },
  { path: "licencePrefix", group: "part", max: 8, numeric: true },
  { path: "model", group: "part", max: 60 },
  { path: "caliber", group: "part", max: 40 },
  { path: "manufacturer", group: "maker", max: 120 },
  { path: "place.city", group: "maker", max: 80 },
  { path: "place.state", group: "maker", max: 80 },
  { path: "place.country.code", group: "maker", country: true },
  { path: "place.country.name", group: "maker", max: 80 },
  { path: "import.importer", group: "import", max: 120 },
  { path: "import.city", group: "import", max: 80 },
  { path: "import.state", group: "import", max: 80 },
  { path: "import.country.code", group: "import", country: true },
  { path: "import.country.name", group: "import", max: 80 },
  { path: "import.year", group: "import", year: true },
  { path: "stateStock.agency", group: "stateStock", max: 120 },
  { path: "stateStock.country.code", group: "stateStock", country: true },
  { path: "stateStock.country.name", group: "stateStock", max: 80 },
  { path: "stateStock.year", group: "stateStock", year: true },
  { path: "extra.0", group: "extra", max: 120 },
  { path: "extra.1", group: "extra", max: 120 },
  { path: "extra.2", group: "extra", max: 120 },
  { path: "extra.3", group: "extra", max: 120 },
];
const GROUPS = ["part", "maker", "import", "stateStock", "extra"];
const KNOWN = new Set(INPUTS.map((i) => i.path));

/** The inputs a profile's template fields need (a country always takes its code and its name). */
export function inputsFor(fields) {
  const want = new Set();
  for (const f of fields) {
    if (f === "serial.withLicence") want.add("serial").add("licencePrefix");
    else if (f === "licence" || f === "licence.ffl") want.add("licencePrefix");
    else if (f === "import.place") want.add("import.city").add("import.state");
    else if (/\.country\.(code|name)$/.test(f)) {
      const base = f.replace(/\.(code|name)$/, "");
      want.add(`${base}.code`).add(`${base}.name`);
    } else for (const p of expandPath(f)) want.add(p);
  }
  return INPUTS.filter((i) => want.has(i.path));
}

/** A record path as the inputs that fill it: `place` → place.city, place.state, place.country.code, … */
export function expandPath(path) {
  if (KNOWN.has(path)) return [path];
  return INPUTS.filter((i) => i.path.startsWith(`${path}.`)).map((i) => i.path);
}

const idOf = (path) => `f-${path.replace(/\./g, "-")}`;
const labelKey = (path) => `field.${path}`;

function getPath(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj, path, v) {
  const keys = path.split(".");
  let o = obj;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) o[k] = v;
    else {
      const nextIsIndex = /^\d+$/.test(keys[i + 1]);
      o[k] ??= nextIsIndex ? [] : {};
      o = o[k];
    }
  });
}

/** The name of a country from its ISO code, in the page's language (a suggestion the technician may change). */
function countryName(code) {
  try {
    return new Intl.DisplayNames([currentLocale()], { type: "region" }).of(code) ?? "";
  } catch {
    return "";
  }
}

/**
 * Build `inputs` inside `container`, pre-filled from `values` (the profile's defaults merged
 * with what the technician had typed); inputs not in `marked` are recorded but not struck.
 * `upperCaseSerial`: the serial field turns what is typed into capitals (the profile says so).
 * Returns the input elements in order.
 */
export function renderFields(container, inputs, values, marked, { upperCaseSerial = false } = {}) {
  container.replaceChildren();
  const out = [];
  for (const g of GROUPS) {
    const mine = inputs.filter((i) => i.group === g);
    if (!mine.length) continue;
    const fs = document.createElement("fieldset");
    fs.append(tr("legend", `group.${g}`));
    for (const def of mine) {
      const wrap = document.createElement("div");
      wrap.className = def.scan ? "field" : "field row";
      const id = idOf(def.path);
      const label = tr("label", labelKey(def.path));
      label.htmlFor = id;
      const input = document.createElement("input");
      input.id = id;
      input.name = def.path;
      input.dataset.path = def.path;
      input.autocomplete = "off";
      input.spellcheck = false;
      if (def.max) input.maxLength = def.max;
      if (def.year) {
        input.inputMode = "numeric";
        input.maxLength = 4;
        input.className = "short";
      }
      if (def.numeric) {
        input.inputMode = "numeric";
        input.className = "short";
      }
      if (def.country) {
        input.maxLength = 2;
        input.className = "code";
        input.setAttribute("autocapitalize", "characters");
      }
      if (def.scan) {
        input.className = "scan";
        input.setAttribute("autocapitalize", "characters");
        // A scan replaces what is there (scanner.js); coming back to the field selects it, so typing replaces it too.
        input.addEventListener("focus", () => input.select());
        if (upperCaseSerial) {
          input.dataset.upper = "1";
          input.addEventListener("input", () => {
            const up = input.value.toUpperCase();
            if (up === input.value) return;
            const at = input.selectionStart;
            input.value = up;
            if (at !== null) input.setSelectionRange(at, at);
          });
        }
      }
      const v = getPath(values, def.path);
      if (v !== undefined && v !== null) input.value = String(v);
      const error = document.createElement("p");
      error.className = "field-error";
      error.id = `${id}-error`;
      error.hidden = true;
      wrap.append(label, input);
      const described = [error.id];
      if (marked && !marked.has(def.path)) {
        const note = tr("p", "hint.notMarked", undefined, "hint not-marked");
        note.id = `${id}-note`;
        described.unshift(note.id);
        wrap.append(note);
        wrap.classList.add("record-only");
      }
      if (has(`hint.${def.path}`)) {
        const hint = tr("p", `hint.${def.path}`, undefined, "hint field-hint");
        hint.id = `${id}-hint`;
        described.unshift(hint.id);
        wrap.append(hint);
      }
      input.setAttribute("aria-describedby", described.join(" "));
      wrap.append(error);
      fs.append(wrap);
      out.push(input);
    }
    container.append(fs);
  }
  // A country code fills in its name when the name is empty or was filled in by the page.
  for (const input of out) {
    if (!input.dataset.path.endsWith(".country.code")) continue;
    const nameInput = out.find((i) => i.dataset.path === input.dataset.path.replace(/code$/, "name"));
    input.addEventListener("input", () => {
      input.value = input.value.toUpperCase();
      if (nameInput && /^[A-Z]{2}$/.test(input.value) && (!nameInput.value || nameInput.dataset.auto === "1")) {
        nameInput.value = countryName(input.value);
        nameInput.dataset.auto = "1";
        nameInput.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    nameInput?.addEventListener("input", (e) => {
      if (e.isTrusted) delete nameInput.dataset.auto;
    });
  }
  return out;
}

/** The record from the inputs: empty inputs are left out, so the service names what is missing. */
export function readRecord(inputs) {
  const record = {};
  for (const input of inputs) {
    const raw = input.value.trim();
    if (!raw) continue;
    const path = input.dataset.path;
    const v = /\.year$/.test(path) && /^\d+$/.test(raw) ? Number(raw) : raw;
    setPath(record, path, v);
  }
  if (Array.isArray(record.extra)) record.extra = record.extra.filter((x) => x !== undefined);
  return record;
}

/** Current values of the inputs as a nested object (to carry them over a profile change). */
export function readValues(inputs) {
  const values = {};
  for (const input of inputs) if (input.value.trim()) setPath(values, input.dataset.path, input.value.trim());
  return values;
}

export function clearFieldErrors(container) {
  for (const el of container.querySelectorAll(".field-error")) {
    el.hidden = true;
    el.replaceChildren();
  }
  for (const el of container.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/** Show a problem under the input for `path`; false when the form has no such input. */
export function showFieldError(container, problem) {
  const input = container.querySelector(`#${CSS.escape(idOf(problem.path))}`);
  if (!input) return false;
  const box = container.querySelector(`#${CSS.escape(idOf(problem.path))}-error`);
  input.setAttribute("aria-invalid", "true");
  if (box.hidden) box.replaceChildren();
  box.append(errorLine(problem));
  box.hidden = false;
  return true;
}

/** One problem as the page shows it: plain words, the stable code small, the service's sentence folded away. */
export function errorLine(problem) {
  const line = document.createElement("span");
  line.className = "problem";
  line.append(tr("span", problem.key, problem.params), " ", value("code", problem.code, "code"));
  if (problem.message) {
    const details = document.createElement("details");
    details.append(tr("summary", "err.technical"), value("span", problem.message, "technical"));
    details.lastChild.lang = "en";
    line.append(details);
  }
  return line;
}
