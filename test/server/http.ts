import { readdirSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Head } from "../../src/job/head.ts";

/**
 * Requests with real headers over a real socket, exactly as given: node:http sends the Host,
 * Origin and Content-Type we set (fetch would put its own Host and Origin rules in between).
 */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = { error: { code: string; message: string; where?: string; details?: Record<string, unknown> } }>(): T;
}

export function send(base: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        method: opts.method ?? "GET",
        path: opts.path,
        headers: { host: u.host, ...(opts.body === undefined ? {} : { "content-length": String(Buffer.byteLength(opts.body)) }), ...(opts.headers ?? {}) },
        setHost: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** The service listening on loopback, port chosen by the OS. */
export async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: "127.0.0.1", port: 0 });
}

/**
 * Every byte the host sends the simulated head, less the status polls (`?`) the head link
 * sends by itself: a refused request must add none.
 */
export function headBytes(head: Head): { readonly count: () => Promise<number> } {
  const sim = head.sim!;
  return { count: async () => (await sim.snapshot()).inputBytes };
}

/** What a request may change: the journal's rows, the published profiles, the head's bytes and strikes. */
export async function stateOf(app: FastifyInstance, dataDir: string, bytes: { count: () => Promise<number> }): Promise<string> {
  const { journal, runner } = app.peenmark;
  const files: string[] = [];
  const walk = (dir: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(`${p}:${statSync(p).size}`);
    }
  };
  walk(join(dataDir, "profiles"));
  return JSON.stringify({
    jobs: journal.jobs(),
    events: journal.events(),
    series: journal.listSeries(),
    files,
    headBytes: await bytes.count(),
    strikes: runner.head.sim ? (await runner.head.sim.snapshot()).strikes.length : 0,
    position: runner.head.view().position,
    homed: runner.head.view().homed,
  });
}
