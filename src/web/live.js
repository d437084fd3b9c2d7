/**
 * Which parts of the preview are struck after `strikesDone` strike lines. The service counts
 * a strike line for every dot-mode strike and for every scribe segment (the pin fires along
 * it), in program order. The program marks block after block (the summary's order); within
 * a block the dot strikes are counted first, then the trains. The preview gives the dot
 * strikes (`strikes`, program order) and the trains (the SVG's scribe paths, program order);
 * the trains are shared out to the scribe blocks by their scribed length.
 */

/** Points of an SVG path made of M/L commands, as the service writes them. */
export function pathPoints(d) {
  const out = [];
  for (const m of String(d).matchAll(/[ML]\s*(-?[\d.]+)[\s,]+(-?[\d.]+)/g)) out.push([Number(m[1]), Number(m[2])]);
  return out;
}

export function pathLength(points) {
  let l = 0;
  for (let i = 1; i < points.length; i++) l += Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
  return l;
}

const near = (a, b) => Math.abs(a[0] - b[0]) < 0.002 && Math.abs(a[1] - b[1]) < 0.002;

/**
 * The strike lines of a program in order, as units: `{ dot: i }` (the i-th dot strike) or
 * `{ train: t, seg: k }` (segment k of train t, counted from 1). The dots and the trains
 * each come in program order; the preview's travel path (a rapid from where one operation
 * ends to where the next starts, drawn only when they differ) says how they interleave.
 * Returns null when the travel path does not fit (then `blockUnits` is the estimate).
 */
export function programUnits(strikes, trains, travel) {
  const units = [];
  let di = 0;
  let ti = 0;
  let tp = 0;
  let at = travel[0]?.[0];
  while (di < strikes.length || ti < trains.length) {
    const dot = di < strikes.length ? strikes[di] : undefined;
    const train = ti < trains.length ? trains[ti][0] : undefined;
    let takeDot;
    if (!train) takeDot = true;
    else if (!dot) takeDot = false;
    else {
      const hop = tp < travel.length && at && near(travel[tp][0], at) ? travel[tp][1] : undefined;
      if (hop && (near(dot, hop) || near(train, hop))) {
        takeDot = near(dot, hop);
        tp++;
      } else if (at && (near(dot, at) || near(train, at))) takeDot = near(dot, at);
      else return null;
    }
    if (takeDot) {
      units.push({ dot: di });
      at = dot;
      di++;
    } else {
      const pts = trains[ti];
      for (let k = 1; k < pts.length; k++) units.push({ train: ti, seg: k });
      at = pts[pts.length - 1];
      ti++;
    }
  }
  return units;
}

/** Travel segments `[from, to]` from the preview's travel path (`M from L to` pairs). */
export function travelSegments(d) {
  const pts = pathPoints(d);
  const out = [];
  for (let i = 0; i + 1 < pts.length; i += 2) out.push([pts[i], pts[i + 1]]);
  return out;
}

/**
 * The estimate when the travel path is missing: block after block (the summary's order),
 * each block's dot strikes first, then its trains, shared out by scribed length.
 */
export function blockUnits(blocks, dotCount, trains) {
  const units = [];
  let dot = 0;
  let train = 0;
  for (const b of blocks) {
    for (let i = 0; i < (b.strikes ?? 0) && dot < dotCount; i++) units.push({ dot: dot++ });
    let length = 0;
    const want = b.scribeLength ?? 0;
    // Trains belong to this block until its scribed length is reached (0.1 % slack: the SVG rounds to 1 µm).
    while (want > 0 && train < trains.length && length < want * 0.999) {
      const pts = trains[train];
      for (let k = 1; k < pts.length; k++) units.push({ train, seg: k });
      length += pathLength(pts);
      train++;
    }
  }
  // Anything not placed (a summary without blocks): dots, then trains.
  while (dot < dotCount) units.push({ dot: dot++ });
  for (; train < trains.length; train++) for (let k = 1; k < trains[train].length; k++) units.push({ train, seg: k });
  return units;
}
