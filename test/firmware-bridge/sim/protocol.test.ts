import { describe, expect, it } from "vitest";
import {
  GRBL_ALARMS,
  GRBL_ERRORS,
  GRBL_SETTINGS,
  classifyLine,
  describeResponse,
  formatOptions,
  formatSetting,
  formatStatus,
  isRealtimeByte,
  parseOptions,
  parseSetting,
  parseStatus,
  realtimeName,
  type StatusReport,
} from "../../../firmware-bridge/protocol.ts";

// Lines as GRBL 1.1h prints them (interface.md examples and a bench capture's shapes).
const REPORTS = [
  "<Idle|MPos:0.000,0.000,0.000|FS:0,0|WCO:0.000,0.000,0.000>",
  "<Run|MPos:12.345,6.789,0.000|Bf:15,128|Ln:42|FS:1200,700|Ov:100,100,100|A:S>",
  "<Hold:1|MPos:1.000,2.000,0.000|Bf:3,80|FS:900,0>",
  "<Hold:0|MPos:1.000,-2.500,0.000|Bf:3,80|FS:0,0|Pn:XY>",
  "<Door:2|WPos:-1.250,0.000,3.000|F:500>",
  "<Alarm|MPos:0.000,0.000,0.000|Bf:15,128|FS:0,0>",
  "<Jog|MPos:5.000,5.000,0.000|Bf:14,110|FS:600,0>",
  "<Check|MPos:0.000,0.000,0.000|Bf:15,128|FS:0,0>",
  "<Home|MPos:0.000,0.000,0.000|FS:0,0>",
  "<Sleep|MPos:0.000,0.000,0.000|FS:0,0>",
];

describe("status reports", () => {
  it.each(REPORTS)("parse then format gives back %s", (line) => {
    const r = parseStatus(line);
    expect(r, `not parsed: ${line}`).toBeDefined();
    expect(formatStatus(r!)).toBe(line);
  });

  it("format then parse gives back the same report", () => {
    const r: StatusReport = { state: "Hold", subState: 0, mpos: [10.5, 79.25, 0], bf: { blocks: 7, bytes: 33 }, ln: 1234, fs: { feed: 2400, spindle: 1000 }, ov: { feed: 110, rapid: 50, spindle: 90 }, wco: [0, 0, 0] };
    expect(parseStatus(formatStatus(r))).toEqual(r);
  });

  it("reads the fields a host needs", () => {
    const r = parseStatus("<Run|MPos:12.345,6.789,0.000|Bf:15,128|Ln:42|FS:1200,700>")!;
    expect(r.state).toBe("Run");
    expect(r.mpos).toEqual([12.345, 6.789, 0]);
    expect(r.bf).toEqual({ blocks: 15, bytes: 128 });
    expect(r.ln).toBe(42);
    expect(r.fs).toEqual({ feed: 1200, spindle: 700 });
  });

  it("rejects what is not a status report", () => {
    expect(parseStatus("<Running|MPos:0,0,0>")).toBeUndefined();
    expect(parseStatus("<Idle|MPos:0.000,zero,0.000>")).toBeUndefined();
    expect(parseStatus("Idle|MPos:0.000,0.000,0.000")).toBeUndefined();
    expect(parseStatus("<Idle|Bf:15>")).toBeUndefined();
  });

  it("skips fields it does not know (grblHAL adds some)", () => {
    expect(parseStatus("<Idle|MPos:0.000,0.000,0.000|SD:1.2,file.nc|FS:0,0>")).toEqual({ state: "Idle", mpos: [0, 0, 0], fs: { feed: 0, spindle: 0 } });
  });
});

describe("error and alarm tables", () => {
  it("have every GRBL 1.1 error code 1–38 except the unused 18 and 19, each with a sentence", () => {
    const codes = GRBL_ERRORS.map((e) => e.code);
    const expected = Array.from({ length: 38 }, (_, i) => i + 1).filter((c) => c !== 18 && c !== 19);
    expect(codes).toEqual(expected);
    for (const e of GRBL_ERRORS) expect(e.meaning, `error ${e.code}`).toMatch(/^[A-Z].{15,}\.$/);
  });

  it("have every alarm 1–9, each with a sentence", () => {
    expect(GRBL_ALARMS.map((a) => a.code)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const a of GRBL_ALARMS) expect(a.meaning, `alarm ${a.code}`).toMatch(/^[A-Z].{15,}\.$/);
  });

  it("describe an error and an alarm for a person", () => {
    expect(describeResponse(classifyLine("error:20"))).toBe("error:20 (Unsupported command): The line holds a G or M command the controller does not support.");
    expect(describeResponse(classifyLine("ALARM:3"))).toContain("position is lost");
    expect(describeResponse(classifyLine("error:77"))).toContain("does not define");
  });
});

describe("line classifier", () => {
  it.each([
    ["ok", "ok"],
    ["ok\r\n", "ok"],
    ["error:9", "error"],
    ["ALARM:2", "alarm"],
    ["<Idle|MPos:0.000,0.000,0.000|FS:0,0>", "status"],
    ["[MSG:'$H'|'$X' to unlock]", "feedback"],
    ["[GC:G0 G54 G17 G21 G90 G94 M5 M9 T0 F0 S0]", "feedback"],
    ["[VER:1.1h.20190830:]", "feedback"],
    ["[OPT:VN,15,128]", "feedback"],
    ["$110=3000.000", "setting"],
    ["Grbl 1.1h ['$' for help]", "welcome"],
    [">G54G21:ok", "other"],
    ["<garbled", "other"],
  ])("%j is %s", (line, kind) => {
    expect(classifyLine(line).kind).toBe(kind);
  });

  it("takes the version from the welcome and the numbers from a setting", () => {
    expect(classifyLine("Grbl 1.1h ['$' for help]")).toEqual({ kind: "welcome", version: "1.1h" });
    expect(classifyLine("$11=0.010")).toEqual({ kind: "setting", id: 11, value: 0.01 });
  });
});

describe("settings and build options", () => {
  it("format integers as integers and floats with three decimals, as $$ does", () => {
    expect(formatSetting(32, 1)).toBe("$32=1");
    expect(formatSetting(30, 1000)).toBe("$30=1000");
    expect(formatSetting(11, 0.01)).toBe("$11=0.010");
    expect(formatSetting(110, 3000)).toBe("$110=3000.000");
    for (const s of GRBL_SETTINGS) expect(parseSetting(formatSetting(s.id, s.grblDefault))).toEqual({ id: s.id, value: s.grblDefault });
  });

  it("round-trip [OPT:…]", () => {
    const o = { codes: "VN", blocks: 15, rxBuffer: 128 };
    expect(formatOptions(o)).toBe("[OPT:VN,15,128]");
    expect(parseOptions(formatOptions(o))).toEqual(o);
  });
});

describe("real-time bytes", () => {
  it("name the commands and treat everything above 0x7F as real-time", () => {
    expect(realtimeName(0x3f)).toBe("statusReport");
    expect(realtimeName(0x18)).toBe("softReset");
    expect(realtimeName(0x85)).toBe("jogCancel");
    expect(isRealtimeByte("!".charCodeAt(0))).toBe(true);
    expect(isRealtimeByte("G".charCodeAt(0))).toBe(false);
    expect(isRealtimeByte(0xfe)).toBe(true);
  });
});

describe("PROTOCOL.md", () => {
  it("lists every error and alarm with the table's name and meaning", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../../firmware-bridge/PROTOCOL.md", import.meta.url), "utf8");
    for (const e of GRBL_ERRORS) expect(doc, `error ${e.code}`).toContain(`| ${e.code} | ${e.name} | ${e.meaning} |`);
    for (const a of GRBL_ALARMS) expect(doc, `alarm ${a.code}`).toContain(`| ${a.code} | ${a.name} | ${a.meaning} |`);
  });
});
