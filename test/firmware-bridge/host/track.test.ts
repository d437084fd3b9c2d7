import { describe, expect, it } from "vitest";
import { locate, programPath } from "../../../firmware-bridge/track.ts";

// A stock build homed to X−99 Y−79 Z−1 with G54 at the homed X/Y: program X10 is machine X−89.
const setup = { start: { x: -99, y: -1, z: -1 }, g54: { x: -99, y: -79, z: 0 } };
const program = [
  "(peenmark job=abc profile=p station=s)",
  "N1G21G90G94G17G54G92.1",
  "N2G92Z0",
  "N3M3S0",
  "N4G0X10Y10",
  "N5G1Z-0.004S750F24",
  "N6G0X11Y10",
  "N7G1Z0",
  "N8S0",
  "N9M5",
  "N10G0X0Y78Z0",
];

describe("the program's path in machine coordinates", () => {
  const path = programPath(program, setup)!;

  it("follows G54 and a G92 that zeroes Z where it stands", () => {
    expect(path[4]).toEqual({ motion: true, from: { x: -99, y: -1, z: -1 }, to: { x: -89, y: -69, z: -1 } });
    expect(path[5]).toEqual({ motion: true, from: { x: -89, y: -69, z: -1 }, to: { x: -89, y: -69, z: -1.004 } });
    expect(path[7]!.to).toEqual({ x: -88, y: -69, z: -1 });
    expect(path[10]!.to).toEqual({ x: -99, y: -1, z: -1 });
    expect(path.filter((l) => !l.motion)).toHaveLength(6);
  });

  it("gives up on what it does not follow (relative moves, arcs, other offsets)", () => {
    expect(programPath(["G91", "G0X1"], setup)).toBeUndefined();
    expect(programPath(["G2X1Y1I1"], setup)).toBeUndefined();
    expect(programPath(["G55G0X1"], setup)).toBeUndefined();
  });

  it("finds the head on the earliest unconfirmed stretch: lines before it have run", () => {
    const tol = 0.02;
    // halfway along the rapid to the first dot
    expect(locate(path, setup.start, { x: -94, y: -35, z: -1 }, 4, 11, tol)).toEqual({ fix: { line: 5, atEnd: false, off: expect.any(Number) } });
    // at the dot, Z still up: the rapid is done, the strike not yet
    expect(locate(path, setup.start, { x: -89, y: -69, z: -1 }, 4, 11, tol)).toEqual({ fix: { line: 5, atEnd: true, off: 0 } });
    // Z down one step: the strike block has made its step
    expect(locate(path, setup.start, { x: -89, y: -69, z: -1.004 }, 5, 11, tol)).toEqual({ fix: { line: 6, atEnd: true, off: 0 } });
    // nothing moved yet: the head rests where the job started
    expect(locate(path, setup.start, setup.start, 4, 11, tol)).toEqual({ fix: { line: 4, atEnd: true, off: 0 } });
  });

  it("says how far off a head is that stands on no stretch of the window", () => {
    const found = locate(path, setup.start, { x: -69, y: -69, z: -1 }, 4, 11, 0.05);
    expect(found).toEqual({ nearest: expect.closeTo(19, 3) });
  });
});
