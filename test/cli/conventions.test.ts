import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { ROOT } from "../job/helpers.ts";

/**
 * The command line's conventions, every command alike: --version; usage and errors on stderr,
 * results on stdout; exit 0 done, 1 failed, 2 wrong command line; --help listing every option
 * with its default; --json where a command prints results; -o - for standard output; one
 * data dir; profiles by id or path; found from the package when run elsewhere; one line for a
 * port in use.
 */
let out: string[];
let err: string[];
let written: Buffer[];
const cleanups: (() => void)[] = [];
beforeEach(() => {
  out = [];
  err = [];
  written = [];
  vi.spyOn(console, "log").mockImplementation((s: unknown) => void out.push(String(s)));
  vi.spyOn(console, "error").mockImplementation((s: unknown) => void err.push(String(s)));
  vi.spyOn(process.stdout, "write").mockImplementation(((c: string | Uint8Array) => {
    written.push(Buffer.from(c));
    return true;
  }) as typeof process.stdout.write);
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const f of cleanups.splice(0)) f();
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "peenmark-conv-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** `peenmark …` as a process, from `cwd`. */
function peenmark(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, "bin", "peenmark.mjs"), ...argv], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const COMMANDS = ["compile", "profile", "font", "mark", "status", "home", "jog", "sim", "journal", "station"] as const;

describe("every command", () => {
  it("--version prints the package's version; bare peenmark is a usage error on stderr", async () => {
    expect(await main(["--version"])).toBe(0);
    expect(out).toEqual([JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version]);
    out = [];
    expect(await main([])).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("\n")).toMatch(/^usage: peenmark <command>/);
    expect(await main(["help"])).toBe(0);
    expect(out.join("\n")).toMatch(/^usage: peenmark <command>/);
  });

  it("--help lists every option the command takes, with its default", async () => {
    for (const name of COMMANDS) {
      const mod = (await import(`../../src/cli/${name}.ts`)) as { OPTIONS: Record<string, { type: string; default?: unknown }>; HELP?: Record<string, { default?: string }> };
      out = [];
      expect(await main([name, "--help"]), name).toBe(0);
      const help = out.join("\n");
      expect(help, name).toMatch(/^usage: peenmark /);
      for (const [opt, o] of Object.entries(mod.OPTIONS)) {
        const line = help.split("\n").find((l) => l.includes(`--${opt}`) && /^\s+(-\w, )?\s*--/.test(l));
        expect(line, `${name} --help lists --${opt}`).toBeDefined();
        expect(line!.replace(/^\s*(-\w, )?\s*--\S+( \S+)?\s+/, "").trim(), `${name} --${opt} says what it does`).not.toBe("");
        const dflt = o.default ?? mod.HELP?.[opt]?.default;
        if (dflt !== undefined) expect(line, `${name} --${opt} shows its default`).toContain(`(default: ${String(dflt)})`);
      }
    }
  });

  it("exits 2 on a wrong command line, with one line on stderr and nothing on stdout", async () => {
    const cases = [["compile", "--nope"], ["font", "list", "--nope"], ["journal"], ["profile"], ["font"], ["jog", "--x", "1"], ["nope"], ["journal", "find", "X", "--data", "/nonexistent", "--limit"]];
    for (const argv of cases) {
      out = [];
      err = [];
      expect(await main(argv), argv.join(" ")).toBe(2);
      expect(out, argv.join(" ")).toEqual([]);
      expect(err.join("\n"), argv.join(" ")).toMatch(/^E_USAGE: /);
    }
  });

  it("prints results as JSON with --json: font list, profile check, compile", async () => {
    expect(await main(["font", "list", "--json"])).toBe(0);
    const fonts = JSON.parse(out.join("\n")) as { name: string; kind: string }[];
    expect(fonts.map((f) => f.name)).toContain("peen-single");
    out = [];
    expect(await main(["profile", "check", join(ROOT, "profiles", "us-receiver.json"), "--json"])).toBe(0);
    expect(JSON.parse(out.join("\n"))).toMatchObject([{ ok: true, id: "us-receiver", problems: [], warnings: [] }]);
    out = [];
    expect(await main(["compile", "--profile", "us-receiver", "--record", join(ROOT, "examples", "records", "us-receiver.json"), "--date", "2026-11-23", "--json"])).toBe(0);
    const summary = JSON.parse(out.join("\n")) as { blocks: { id: string }[]; program: { lines: number; hash: string } };
    expect(summary.blocks.map((b) => b.id)).toEqual(["serial", "maker", "model"]);
    expect(summary.program.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("writes to standard output with -o -: the program, with the summary on stderr", async () => {
    expect(await main(["compile", "--profile", "us-receiver", "--record", join(ROOT, "examples", "records", "us-receiver.json"), "--date", "2026-11-23", "-o", "-"])).toBe(0);
    const gcode = Buffer.concat(written).toString();
    expect(gcode).toMatch(/^\(peenmark job=[0-9a-f]{12} profile=us-receiver station=bench\)\n/);
    expect(out).toEqual([]);
    expect(err.join("\n")).toMatch(/^blocks: 3 /);
    expect(existsSync("-")).toBe(false);
  });

  it("checks every profile of profiles/ at once, passing over the JSON Schema, and reports every problem of a bad one", async () => {
    const files = ["arc-round", "cifta-state-stock", "iti-import", "profile.schema", "receiver-datamatrix", "slide-5x7", "us-receiver"].map((f) => join(ROOT, "profiles", `${f}.json`));
    expect(await main(["profile", "check", ...files])).toBe(0);
    expect(out.filter((l) => l.startsWith("ok  "))).toHaveLength(6);
    expect(out.join("\n")).toMatch(/--  \S+profile\.schema\.json {2}skipped: a JSON Schema, not a profile/);
    // A block at y = 95 on an 80 mm area and a 1.2 mm serial under us-atf: both, in one round.
    const bad = JSON.parse(readFileSync(join(ROOT, "profiles", "us-receiver.json"), "utf8"));
    bad.blocks[0].capHeight = 1.2;
    bad.blocks[2].origin.y = 95;
    const dir = tmp();
    writeFileSync(join(dir, "bad.json"), JSON.stringify(bad));
    out = [];
    expect(await main(["profile", "check", join(dir, "bad.json")])).toBe(1);
    const text = out.join("\n");
    expect(text).toMatch(/^2 problems {2}/);
    expect(text).toMatch(/E_MARK_RULE {2}\$\.blocks\[0\]: block "serial" strikes "R" of the serial 1\.200 mm tall/);
    expect(text).toMatch(/E_OUT_OF_BOUNDS {2}\$\.blocks\[2\]: block "model" reaches/);
  });
});

describe("as a newcomer and an integrator run it", () => {
  it("compiles a profile by id from outside the repository, with the package's station and fonts", async () => {
    const elsewhere = tmp();
    const r = await peenmark(["compile", "--profile", "us-receiver", "--record", join(ROOT, "examples", "records", "us-receiver.json"), "-o", "out.gcode"], elsewhere, { PEENMARK_DATA: "" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(elsewhere, "out.gcode"), "utf8")).toMatch(/^\(peenmark job=/);
  });

  it("finds the station's journal through PEENMARK_DATA for every journal command, series create included", async () => {
    const data = tmp();
    const elsewhere = tmp();
    const created = await peenmark(["journal", "series", "create", "sv", "--pattern", "SV{yy}R{counter:5}", "--start", "107", "--end", "999", "--operator", "M. Ortiz", "--json"], elsewhere, { PEENMARK_DATA: data });
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: "sv", start: 107 });
    expect(created.stderr).toContain(`no journal at ${join(data, "peenmark.db")}: a new one was made`);
    expect(existsSync(join(data, "peenmark.db"))).toBe(true);
    expect(existsSync(join(elsewhere, "data"))).toBe(false);
    const listed = await peenmark(["journal", "series", "list", "--json"], elsewhere, { PEENMARK_DATA: data });
    expect(JSON.parse(listed.stdout).map((s: { id: string }) => s.id)).toEqual(["sv"]);
    // --data wins over the environment.
    const other = await peenmark(["journal", "series", "list", "--data", elsewhere], elsewhere, { PEENMARK_DATA: data });
    expect([other.code, other.stderr.trim()]).toEqual([1, `E_FILE: no journal at ${join(elsewhere, "peenmark.db")}: give the station's data dir with --data (or set PEENMARK_DATA), the file with --db, or the registry with --journal`]);
  });

  it("says in one line that the station's port is in use, and exits 1", async () => {
    const busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, "127.0.0.1", ok));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await peenmark(["station", "--port", String(port), "--data", tmp()], ROOT, { PEENMARK_LOG: "silent" });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`E_LISTEN: port ${port} on 127.0.0.1 is in use (another station, or another program): stop it, or start this one with --port N`);
    } finally {
      await new Promise((ok) => busy.close(ok));
    }
  });
});
