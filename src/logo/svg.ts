import { XMLParser } from "fast-xml-parser";
import svgpath from "svgpath";
import { PeenmarkError } from "../errors.ts";
import type { Point, Stroke } from "../geometry.ts";
import { flattenCubic, flattenQuadratic } from "../fonts/flatten.ts";

/**
 * A logo from an SVG document: its outlines as strokes in the SVG's user units (y down, as
 * SVG draws), and the viewBox they are placed by. Elements: path, line, polyline, polygon,
 * rect, circle, ellipse, nested g and svg-free groups with their transforms (svgpath parses
 * path data and transforms and turns arcs into cubic Béziers; fast-xml-parser reads the
 * XML). Curves are flattened to `tolerance` user units (the caller passes the tolerance text
 * uses, converted by the logo's scale).
 *
 * A dot-peen head marks lines, not areas: a filled shape is refused (E_LOGO, reason fill), naming the
 * element, instead of being struck as its outline; a logo for the head is drawn with
 * fill="none" (on the element, a group, or in a style). Elements that are not geometry the
 * head can strike (text, image, use, a clip path…) are refused too (E_LOGO, reason unsupported);
 * defs, metadata, title and desc are skipped.
 */
export interface SvgLogo {
  readonly viewBox: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly strokes: readonly Stroke[];
}

const GEOMETRY = new Set(["path", "line", "polyline", "polygon", "rect", "circle", "ellipse"]);
const SKIPPED = new Set(["defs", "metadata", "title", "desc", "style", "#comment", "sodipodi:namedview"]);
/** An SVG larger than this is refused before parsing (a logo is a few kilobytes). */
export const MAX_SVG_BYTES = 512 * 1024;
const MAX_ELEMENTS = 10_000;

type Node = Record<string, unknown>;

type Reason = "E_LOGO_SVG" | "E_LOGO_FILL" | "E_LOGO_UNSUPPORTED";
const REASON = { E_LOGO_SVG: "svg", E_LOGO_FILL: "fill", E_LOGO_UNSUPPORTED: "unsupported" } as const;

function fail(code: Reason, message: string, where: string, details: Record<string, unknown> = {}): never {
  throw new PeenmarkError("E_LOGO", message, { where, details: { reason: REASON[code], ...details } });
}

const num = (v: unknown, dflt = 0): number => {
  if (v === undefined) return dflt;
  const n = Number.parseFloat(String(v));
  return Number.isFinite(n) ? n : NaN;
};

function styleOf(attrs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (attrs.style ?? "").split(";")) {
    const i = part.indexOf(":");
    if (i > 0) out[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return out;
}

function pathDataOf(tag: string, a: Record<string, string>, where: string): string {
  const n = (k: string) => {
    const v = num(a[k]);
    if (Number.isNaN(v)) fail("E_LOGO_SVG", `${where}: attribute ${k}="${a[k]}" is not a number`, where);
    return v;
  };
  switch (tag) {
    case "path":
      return a.d ?? "";
    case "line":
      return `M${n("x1")} ${n("y1")}L${n("x2")} ${n("y2")}`;
    case "polyline":
    case "polygon": {
      const v = (a.points ?? "").trim().split(/[\s,]+/).filter(Boolean).map(Number);
      if (v.length % 2 || v.some((x) => !Number.isFinite(x))) fail("E_LOGO_SVG", `${where}: points="${a.points}" is not a list of x,y pairs`, where);
      if (v.length < 4) return "";
      let d = `M${v[0]} ${v[1]}`;
      for (let i = 2; i < v.length; i += 2) d += `L${v[i]} ${v[i + 1]}`;
      return tag === "polygon" ? `${d}Z` : d;
    }
    case "rect": {
      const x = n("x"), y = n("y"), w = n("width"), h = n("height");
      if (w <= 0 || h <= 0) return "";
      let rx = num(a.rx, NaN), ry = num(a.ry, NaN);
      if (Number.isNaN(rx)) rx = Number.isNaN(ry) ? 0 : ry;
      if (Number.isNaN(ry)) ry = rx;
      rx = Math.min(rx, w / 2);
      ry = Math.min(ry, h / 2);
      if (rx <= 0 || ry <= 0) return `M${x} ${y}H${x + w}V${y + h}H${x}Z`;
      return `M${x + rx} ${y}H${x + w - rx}A${rx} ${ry} 0 0 1 ${x + w} ${y + ry}V${y + h - ry}A${rx} ${ry} 0 0 1 ${x + w - rx} ${y + h}H${x + rx}A${rx} ${ry} 0 0 1 ${x} ${y + h - ry}V${y + ry}A${rx} ${ry} 0 0 1 ${x + rx} ${y}Z`;
    }
    case "circle":
    case "ellipse": {
      const cx = n("cx"), cy = n("cy");
      const rx = tag === "circle" ? n("r") : n("rx");
      const ry = tag === "circle" ? rx : n("ry");
      if (rx <= 0 || ry <= 0) return "";
      return `M${cx - rx} ${cy}A${rx} ${ry} 0 1 0 ${cx + rx} ${cy}A${rx} ${ry} 0 1 0 ${cx - rx} ${cy}Z`;
    }
  }
  return "";
}

/** Path data (already in root user units) → strokes, curves flattened to `tol`. */
function strokesOf(d: string, tol: number, where: string): Stroke[] {
  const out: Stroke[] = [];
  let pts: Point[] = [];
  let start: Point = { x: 0, y: 0 };
  const flush = (closed: boolean) => {
    if (pts.length >= 2) {
      // A closed subpath whose last point is its first: drop the repeat (closed says so).
      if (closed && pts.length > 2) {
        const f = pts[0]!, l = pts[pts.length - 1]!;
        if (Math.abs(f.x - l.x) < 1e-9 && Math.abs(f.y - l.y) < 1e-9) pts.pop();
      }
      out.push({ points: pts, closed: closed && pts.length > 2 });
    }
    pts = [];
  };
  let bad = false;
  svgpath.from(d)
    .abs()
    .unshort()
    .unarc()
    .iterate((seg, _i, x, y) => {
      const at = { x, y };
      switch (seg[0]) {
        case "M":
          flush(false);
          start = { x: seg[1], y: seg[2] };
          pts = [start];
          break;
        case "L":
          pts.push({ x: seg[1], y: seg[2] });
          break;
        case "H":
          pts.push({ x: seg[1], y });
          break;
        case "V":
          pts.push({ x, y: seg[1] });
          break;
        case "C":
          flattenCubic(at, { x: seg[1], y: seg[2] }, { x: seg[3], y: seg[4] }, { x: seg[5], y: seg[6] }, tol, pts);
          break;
        case "Q":
          flattenQuadratic(at, { x: seg[1], y: seg[2] }, { x: seg[3], y: seg[4] }, tol, pts);
          break;
        case "Z":
        case "z":
          flush(true);
          pts = [start];
          break;
        default:
          bad = true;
      }
    });
  flush(false);
  if (bad) fail("E_LOGO_SVG", `${where}: path data the parser could not read`, where);
  for (const s of out) for (const p of s.points) if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) fail("E_LOGO_SVG", `${where}: path data with a coordinate that is not a number`, where);
  return out;
}

function parseViewBox(a: Record<string, string>, where: string): SvgLogo["viewBox"] {
  if (a.viewBox !== undefined) {
    const v = a.viewBox.trim().split(/[\s,]+/).map(Number);
    if (v.length !== 4 || v.some((x) => !Number.isFinite(x)) || v[2]! <= 0 || v[3]! <= 0) fail("E_LOGO_SVG", `${where}: viewBox="${a.viewBox}" is not four numbers with a positive width and height`, where);
    return { x: v[0]!, y: v[1]!, width: v[2]!, height: v[3]! };
  }
  const w = num(a.width, NaN), h = num(a.height, NaN);
  if (!(w > 0) || !(h > 0)) fail("E_LOGO_SVG", `${where}: the svg element has neither a viewBox nor a width and height: the logo's size is unknown`, where);
  return { x: 0, y: 0, width: w, height: h };
}

/**
 * Parse an SVG logo. `tolerance` is in the SVG's user units (of the root viewBox). `where`
 * names the profile block in errors.
 */
export function parseSvgLogo(text: string, tolerance: number, where: string): SvgLogo {
  if (Buffer.byteLength(text) > MAX_SVG_BYTES) fail("E_LOGO_SVG", `${where}: the SVG is ${Buffer.byteLength(text)} bytes, more than the ${MAX_SVG_BYTES} a logo may have`, where);
  let doc: Node[];
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", preserveOrder: true, processEntities: false, allowBooleanAttributes: true }).parse(text) as Node[];
  } catch (e) {
    fail("E_LOGO_SVG", `${where}: the SVG is not well-formed XML: ${(e as Error).message}`, where);
  }
  const rootNode = doc.find((n) => "svg" in n);
  if (!rootNode) fail("E_LOGO_SVG", `${where}: no <svg> element`, where);
  const attrsOf = (n: Node) => ((n[":@"] as Record<string, string> | undefined) ?? {});
  const viewBox = parseViewBox(attrsOf(rootNode), where);
  const strokes: Stroke[] = [];
  let elements = 0;
  // Depth-first with an explicit stack (no recursion): node, transforms outward, fill and stroke inherited.
  const stack: { node: Node; transforms: string[]; fill: string; path: string }[] = [];
  const rootFill = (attrsOf(rootNode).fill ?? styleOf(attrsOf(rootNode)).fill ?? "black").trim();
  for (const child of (rootNode.svg as Node[]).slice().reverse()) stack.push({ node: child, transforms: [], fill: rootFill, path: "svg" });
  const counts = new Map<string, number>();
  while (stack.length) {
    const { node, transforms, fill, path } = stack.pop()!;
    const tag = Object.keys(node).find((k) => k !== ":@")!;
    if (tag === "#text") {
      if (String((node["#text"] as unknown) ?? "").trim()) fail("E_LOGO_UNSUPPORTED", `${where}: text inside the SVG (${path}): convert text to paths first`, where);
      continue;
    }
    if (SKIPPED.has(tag) || tag.startsWith("?")) continue;
    if (++elements > MAX_ELEMENTS) fail("E_LOGO_SVG", `${where}: more than ${MAX_ELEMENTS} elements`, where);
    const k = (counts.get(`${path}/${tag}`) ?? 0) + 1;
    counts.set(`${path}/${tag}`, k);
    const here = `${path}/${tag}[${k}]`;
    const a = attrsOf(node);
    const style = styleOf(a);
    if ((a.display ?? style.display) === "none" || (a.visibility ?? style.visibility) === "hidden") continue;
    const ownFill = (style.fill ?? a.fill ?? fill).trim();
    const t = a.transform ? [a.transform, ...transforms] : transforms;
    if (tag === "g" || tag === "a") {
      const kids = (node[tag] as Node[]) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, transforms: t, fill: ownFill, path: here });
      continue;
    }
    if (!GEOMETRY.has(tag)) fail("E_LOGO_UNSUPPORTED", `${where}: <${tag}> (${here}) is not something the head can strike: use path, line, polyline, polygon, rect, circle or ellipse`, where, { element: here });
    // line and polyline have no area, so their fill draws nothing.
    if (tag !== "line" && tag !== "polyline" && ownFill !== "none" && ownFill !== "transparent")
      fail("E_LOGO_FILL", `${where}: ${here} is filled (fill ${ownFill}): a dot-peen head marks lines, not areas; draw the logo's outlines with fill="none"`, where, { element: here, fill: ownFill });
    let d = pathDataOf(tag, a, here);
    if (!d.trim()) continue;
    try {
      let p = svgpath.from(d);
      for (const tr of t) p = p.transform(tr);
      d = p.toString();
    } catch (e) {
      fail("E_LOGO_SVG", `${where}: ${here}: ${(e as Error).message}`, where);
    }
    for (const s of strokesOf(d, tolerance, here)) strokes.push(s);
  }
  if (!strokes.length) fail("E_LOGO_SVG", `${where}: the SVG has nothing to strike`, where);
  return { viewBox, strokes };
}
