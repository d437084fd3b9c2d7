import { tr, value, setText, duration, translateTree } from "./i18n.js";
import { pathPoints, programUnits, travelSegments, blockUnits } from "./live.js";

/**
 * The preview at scale: the service's SVG (work area, 10 mm grid, strikes, scribe trains;
 * SVG user units are mm, +Y up), with millimetre rulers added along the bottom and left
 * edges, and a live layer where struck dots turn colour as the head reports them.
 */
const NS = "http://www.w3.org/2000/svg";
/** Extra room for the rulers, mm of drawing. */
const RULER = 8;

let live = null; // { layer, strikes, drawn, height, head }

function el(name, attrs) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function rulers(svg, width, height) {
  const g = el("g", { class: "ruler", stroke: "#374151", "stroke-width": 0.1, "font-size": 2.2, fill: "#374151" });
  // X ruler under the work area (screen y grows down; the work area spans y 0..height on screen).
  const y0 = height + 2.5;
  g.append(el("path", { d: `M0 ${y0}H${width}`, fill: "none" }));
  for (let x = 0; x <= width; x++) {
    const len = x % 10 === 0 ? 2 : x % 5 === 0 ? 1.3 : 0.7;
    g.append(el("path", { d: `M${x} ${y0}v${len}`, fill: "none" }));
    if (x % 10 === 0) {
      const label = el("text", { x, y: y0 + 4.6, "text-anchor": "middle", stroke: "none", "data-value": "" });
      label.textContent = String(x);
      g.append(label);
    }
  }
  // Y ruler left of the work area, numbered from the bottom (machine Y).
  const x0 = -2.5;
  g.append(el("path", { d: `M${x0} 0V${height}`, fill: "none" }));
  for (let y = 0; y <= height; y++) {
    const len = y % 10 === 0 ? 2 : y % 5 === 0 ? 1.3 : 0.7;
    g.append(el("path", { d: `M${x0} ${height - y}h${-len}`, fill: "none" }));
    if (y % 10 === 0 && y > 0) {
      const label = el("text", { x: x0 - 2.6, y: height - y + 0.8, "text-anchor": "end", stroke: "none", "data-value": "" });
      label.textContent = String(y);
      g.append(label);
    }
  }
  g.append(el("text", { x: width + 2.8, y: y0 + 4.6, "text-anchor": "start", stroke: "none", "data-i18n": "preview.mm" }));
  svg.append(g);
}

/**
 * Show `preview` (the service's answer) in `figure`. `workArea` comes from GET /api/station;
 * without it the work area is read back from the SVG's viewBox (2 mm margin).
 */
export function showPreview(figure, preview, workArea, { follow = true } = {}) {
  const doc = new DOMParser().parseFromString(preview.svg, "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  for (const s of svg.querySelectorAll("script, foreignObject")) s.remove();
  const vb = (svg.getAttribute("viewBox") ?? "0 0 100 80").split(/[\s,]+/).map(Number);
  const margin = -vb[0];
  const width = workArea?.width ?? vb[2] - 2 * margin;
  const height = workArea?.height ?? vb[3] - 2 * margin;
  svg.setAttribute("viewBox", `${vb[0] - RULER} ${vb[1]} ${vb[2] + RULER + 6} ${vb[3] + RULER}`);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("role", "img");
  svg.setAttribute("data-i18n-aria-label", "preview.alt");
  svg.dataset.widthMm = String(vb[2] + RULER + 6);
  rulers(svg, width, height);
  const layer = el("g", { class: "live", transform: `matrix(1 0 0 -1 0 ${height})` });
  const head = el("g", { class: "head", visibility: "hidden" });
  head.append(el("path", { d: "M-1.6 0H1.6M0 -1.6V1.6", stroke: "#dc2626", "stroke-width": 0.25 }), el("circle", { r: 0.9, fill: "none", stroke: "#dc2626", "stroke-width": 0.2 }));
  layer.append(head);
  svg.append(layer);
  figure.replaceChildren(svg);
  translateTree(figure);
  // A picture only (a profile's sample): the live view keeps following the job's.
  if (!follow) return svg;
  const trainEls = [...svg.querySelectorAll("g.scribe path")];
  const trains = trainEls.map((p) => pathPoints(p.getAttribute("d")));
  const strikes = preview.strikes ?? [];
  live = { layer, head, strikes, trainEls, trains, units: programUnits(strikes, trains, travelSegments(svg.querySelector("path.travel")?.getAttribute("d") ?? "")) ?? blockUnits(preview.summary?.blocks ?? [], strikes.length, trains), cursor: 0, overlays: new Map() };
  return svg;
}

/** Colour what the first `done` strike lines (the service's strikesDone) have struck. */
export function showStruck(done) {
  if (!live) return;
  const n = Math.min(Math.max(0, done), live.units.length);
  if (n < live.cursor) {
    for (const c of live.layer.querySelectorAll(".struck")) c.remove();
    live.overlays.clear();
    live.cursor = 0;
  }
  const frag = document.createDocumentFragment();
  const touched = new Map();
  for (let i = live.cursor; i < n; i++) {
    const u = live.units[i];
    if (u.dot !== undefined) {
      const [x, y] = live.strikes[u.dot];
      frag.append(el("circle", { class: "struck", cx: x, cy: y, r: 0.24 }));
    } else touched.set(u.train, u.seg);
  }
  live.layer.insertBefore(frag, live.head);
  for (const [t, segs] of touched) {
    let path = live.overlays.get(t);
    if (!path) {
      const src = live.trainEls[t];
      path = el("path", { class: "struck train", fill: "none", "stroke-linecap": "round", "stroke-linejoin": "round", "stroke-width": src.getAttribute("stroke-width") ?? 0.3, "stroke-dasharray": src.getAttribute("stroke-dasharray") ?? "none" });
      live.overlays.set(t, path);
      live.layer.insertBefore(path, live.head);
    }
    path.setAttribute("d", live.trains[t].slice(0, segs + 1).map(([x, y], i) => `${i ? "L" : "M"}${x} ${y}`).join(""));
  }
  live.cursor = n;
}

/** Where the head is, from the controller's status (machine mm). */
export function showHead(position) {
  if (!live || !position) return;
  live.head.setAttribute("transform", `translate(${position.x} ${position.y})`);
  live.head.setAttribute("visibility", "visible");
}

export function clearPreview(figure) {
  figure.replaceChildren();
  live = null;
}

/** The per-block table: lines as laid out, cap height asked and measured, strikes. */
export function showBlocks(tbody, blocks) {
  tbody.replaceChildren();
  for (const b of blocks) {
    const row = document.createElement("tr");
    const th = value("th", b.id);
    th.scope = "row";
    const text = document.createElement("td");
    for (const line of b.lines ?? []) text.append(value("div", line, "mark-line"));
    if (b.kind === "logo" && b.logo) text.append(tr("div", "preview.logo", { width: b.logo.width, height: b.logo.height }));
    const mode = document.createElement("td");
    if (b.kind === "datamatrix" && b.symbol) mode.append(tr("span", "preview.datamatrix", { rows: b.symbol.rows, cols: b.symbol.cols, module: b.symbol.module }));
    else mode.append(tr("span", `mode.${b.mode}`));
    const asked = document.createElement("td");
    const measured = document.createElement("td");
    if (b.kind === "datamatrix" || b.kind === "logo") {
      asked.append(tr("span", "preview.none"));
      measured.append(tr("span", "preview.none"));
    } else {
      asked.append(tr("span", "unit.mm", { n: b.capHeight }));
      if (typeof b.measuredCapHeight === "number") {
        measured.append(tr("span", "unit.mm3", { n: b.measuredCapHeight }));
        if (b.measuredCapHeight + 1e-6 < b.capHeight * 0.95) measured.className = "low";
      } else measured.append(tr("span", "preview.none"));
    }
    const strikes = document.createElement("td");
    strikes.className = "num";
    if (b.mode === "scribe") strikes.append(tr("span", "preview.scribed", { mm: b.scribeLength }));
    else strikes.append(tr("span", "preview.count", { n: b.strikes }));
    row.append(th, text, mode, asked, measured, strikes);
    tbody.append(row);
  }
}

/** Totals: strikes, scribed length, estimated time, program lines. */
export function showFigures(p, summary) {
  setText(p, "preview.figures", {
    strikes: summary.strikes,
    scribed: summary.scribeLength ?? 0,
    time: duration(summary.seconds),
    lines: summary.lines,
  });
}
