import { setText } from "./i18n.js";
import { DEFAULT_GAP_MS } from "./scanner.js";

/**
 * What this bench's screen and keyboard are: the real size of a millimetre on this screen
 * (calibrated once against a ruler, remembered per screen: browsers assume 96 dpi, which a
 * 15.6″ 1366×768 panel is not), the key that marks (Enter, or a foot pedal that types a key
 * of its own), and how fast the barcode scanner types.
 */
const $ = (id) => document.getElementById(id);
const MARK_KEY = "peenmark.markKey";
const SCAN_GAP = "peenmark.scanGapMs";
/** The bar the technician matches against a ruler. */
const RULER_MM = 100;
/** CSS pixels per mm at the browser's own 96 dpi. */
const CSS_PX_PER_MM = 96 / 25.4;

/** This screen, as the browser sees it: its size and pixel ratio name it. */
export function screenKey() {
  return `peenmark.pxPerMm.${screen.width}x${screen.height}@${Math.round(devicePixelRatio * 100) / 100}`;
}

/** CSS pixels per real millimetre on this screen, or undefined before it is calibrated. */
export function pxPerMm() {
  const v = Number(localStorage.getItem(screenKey()));
  return v > 0 ? v : undefined;
}

export function setPxPerMm(v) {
  localStorage.setItem(screenKey(), String(v));
}

/** The key that marks besides Enter on the Mark button: a KeyboardEvent `code` (F13, PageDown, KeyB …), or "". */
export function markKey() {
  return localStorage.getItem(MARK_KEY) ?? "";
}

export function scanGapMs() {
  const v = Number(localStorage.getItem(SCAN_GAP));
  return v >= 10 && v <= 500 ? v : DEFAULT_GAP_MS;
}

/** A key's name as the settings show it. */
export function keyName(code) {
  return code.replace(/^Key/, "").replace(/^Digit/, "");
}

/** The settings dialog; `onChange` redraws what depends on them (the preview at real size). */
export function setupBenchSettings(onChange) {
  const dialog = $("settings-dialog");
  const range = $("ruler-range");
  let capturing = false;

  const drawRuler = () => {
    const v = Number(range.value);
    $("ruler-bar").style.width = `${RULER_MM * v}px`;
    // Ticks every 10 mm at the scale being tried.
    $("ruler-bar").style.backgroundSize = `${10 * v}px 100%`;
    setText($("ruler-value"), "settings.rulerValue", { mm: RULER_MM, px: Math.round(RULER_MM * v) });
  };
  const drawKey = () => {
    const k = markKey();
    setText($("mark-key-value"), k ? "settings.markKeyIs" : "settings.markKeyEnter", { key: k ? keyName(k) : "" });
  };

  $("settings-btn").addEventListener("click", () => {
    range.value = String(pxPerMm() ?? CSS_PX_PER_MM);
    $("scan-gap").value = String(scanGapMs());
    drawRuler();
    drawKey();
    dialog.showModal();
  });
  range.addEventListener("input", () => {
    drawRuler();
    setPxPerMm(Number(range.value));
    onChange();
  });
  for (const [id, d] of [
    ["ruler-smaller", -0.01],
    ["ruler-larger", 0.01],
  ]) {
    $(id).addEventListener("click", () => {
      range.value = String(Math.round((Number(range.value) + d) * 100) / 100);
      range.dispatchEvent(new Event("input"));
    });
  }
  $("scan-gap").addEventListener("change", () => {
    const v = Number($("scan-gap").value);
    if (v >= 10 && v <= 500) localStorage.setItem(SCAN_GAP, String(v));
  });
  $("mark-key-capture").addEventListener("click", () => {
    capturing = true;
    setText($("mark-key-value"), "settings.pressNow");
  });
  $("mark-key-reset").addEventListener("click", () => {
    localStorage.removeItem(MARK_KEY);
    drawKey();
  });
  // The next key pressed in the dialog is the pedal's (Escape still closes it).
  dialog.addEventListener("keydown", (e) => {
    if (!capturing || e.key === "Escape" || e.key === "Tab") return;
    e.preventDefault();
    e.stopPropagation();
    capturing = false;
    if (e.code === "Enter" || e.code === "NumpadEnter") localStorage.removeItem(MARK_KEY);
    else localStorage.setItem(MARK_KEY, e.code);
    drawKey();
  });
  dialog.addEventListener("close", () => {
    capturing = false;
    onChange();
  });
}

/** The preview's width at `zoom` (1 = real size) in CSS px, and whether it is calibrated. */
export function realWidth(widthMm, zoom) {
  const calibrated = pxPerMm();
  return { px: widthMm * zoom * (calibrated ?? CSS_PX_PER_MM), calibrated: calibrated !== undefined };
}

