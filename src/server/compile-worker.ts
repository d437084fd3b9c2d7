/**
 * A preview worker (a worker thread of the compile pool, compile-pool.ts): validates the
 * record, compiles it and builds the preview, off the service's event loop. Pure: what it
 * gets in the message is all it uses (fonts are read from the package, as in the service).
 */
import { parentPort } from "node:worker_threads";
import { compile } from "../compile.ts";
import { isPeenmarkError } from "../errors.ts";
import { parseRecord } from "../profile/load.ts";
import type { CompileTask, CompileReply } from "./compile-pool.ts";
import { previewOf } from "./preview.ts";

const port = parentPort;
if (!port) throw new Error("compile-worker.ts runs as a worker thread (compile-pool.ts starts it)");

port.on("message", (t: CompileTask) => {
  let reply: CompileReply;
  try {
    const record = parseRecord("record", t.record);
    const compiled = compile({ record, profile: t.profile, station: t.station, markedAt: new Date(t.markedAt) });
    const preview = previewOf(compiled, t.station);
    reply = { id: t.id, ok: true, record, preview, json: JSON.stringify({ ...preview, record }) };
  } catch (e) {
    reply = isPeenmarkError(e)
      ? { id: t.id, ok: false, error: { code: e.code, message: e.message, ...(e.where === undefined ? {} : { where: e.where }), details: JSON.parse(JSON.stringify(e.details)) as Record<string, unknown> } }
      : { id: t.id, ok: false, error: { message: e instanceof Error ? e.message : String(e) } };
  }
  port.postMessage(reply);
});
