/**
 * The streaming worker: owns the port, the Controller and its Streamer — and, for the
 * simulated head, the SimHead and its real-time clock — on its own event loop. It answers the
 * requests of messages.ts and forwards the Controller's events. Nothing else runs here: no
 * journal, no HTTP, no compile.
 *
 * It runs as a worker thread (the simulated head: its binding is JavaScript) or as a child
 * process (a serial port: serialport's native binding polls on the process's default loop
 * and cannot live in a worker thread, serialport/bindings-cpp#176). A child whose service
 * dies (its IPC channel closes) stops sending — the controller runs what it holds and the
 * head comes to rest between strikes, pin off — closes the port and exits, so the restarted
 * service finds the port free.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Controller } from "../driver.ts";
import { isBridgeError } from "../errors.ts";
import { SimBinding, registerSimHead } from "../sim/binding.ts";
import { RealtimeClock } from "../sim/clock.ts";
import { SimHead, type SimFaults } from "../sim/head.ts";
import type { Event, EventName, FromWorker, Mirror, Op, Reply, Request, SimFaultSpec, WireError, WorkerEvents, WorkerInit, WorkerOps } from "./messages.ts";

type Post = (m: FromWorker) => void;
let post: Post;
let init: WorkerInit;
if (parentPort) {
  const port = parentPort;
  post = (m) => port.postMessage(m);
  init = workerData as WorkerInit;
  port.on("message", (m: Request) => onRequest(m));
} else if (process.send) {
  post = (m) => {
    if (process.connected) process.send!(m);
  };
  const requests: Request[] = [];
  let ready = false;
  init = await new Promise<WorkerInit>((resolve) => {
    process.on("message", (m: Request | { type: "init"; init: WorkerInit }) => {
      if (m.type === "init") resolve(m.init);
      else if (ready) onRequest(m);
      else requests.push(m);
    });
    process.send!({ type: "ready" });
  });
  // Requests that came with the init wait until the controller below exists.
  setImmediate(() => {
    ready = true;
    for (const r of requests.splice(0)) onRequest(r);
  });
} else throw new Error("head-worker.ts runs as a worker thread or a child process (firmware-bridge/worker/client.ts starts it)");

let sim: SimHead | undefined;
let inputBytes = 0;
let clock: RealtimeClock | undefined;
let binding: unknown;
if (init.sim) {
  sim = new SimHead({ ...init.sim.options, faults: faultsOf(init.sim.faults) });
  const write = sim.write.bind(sim);
  sim.write = (data: Uint8Array | string) => {
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    for (const b of bytes) if (b !== 0x3f) inputBytes++;
    write(data);
  };
  clock = new RealtimeClock(sim, { speed: init.sim.speed });
  registerSimHead(init.link.path, sim, clock);
  binding = SimBinding;
}

const controller = new Controller({
  link: { path: init.link.path, baudRate: init.link.baudRate, ...(binding ? { binding: binding as never } : {}) },
  ...(init.rxBuffer === undefined ? {} : { rxBuffer: init.rxBuffer }),
  ...(init.statusHz === undefined ? {} : { statusHz: init.statusHz }),
  ...(init.welcomeTimeoutMs === undefined ? {} : { welcomeTimeoutMs: init.welcomeTimeoutMs }),
});

if (!parentPort) {
  // The service died (kill -9, a crash): stop sending, let the head finish what the
  // controller holds (at rest between strikes, pin off), let go of the port, exit.
  process.on("disconnect", () => {
    void (async () => {
      await controller.pause().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      await controller.close().catch(() => undefined);
      process.exit(0);
    })();
  });
}

function mirror(): Mirror {
  return {
    status: controller.status,
    homed: controller.homed,
    homing: controller.isHoming,
    linkState: controller.link.state,
    bytesInFlight: controller.streamer.bytesInFlight,
    running: controller.streamer.running,
    handshake: controller.handshake,
    ...(sim ? { simStrikes: sim.strikes.length } : {}),
  };
}

export function wireError(e: unknown): WireError {
  if (isBridgeError(e)) return { name: e.name, code: e.code, message: e.message, ...(e.where === undefined ? {} : { where: e.where }), details: structuredCloneable(e.details) };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: "Error", message: String(e) };
}

function structuredCloneable(v: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return structuredClone(v) as Record<string, unknown>;
  } catch {
    return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  }
}

function emit<K extends EventName>(name: K, ...args: WorkerEvents[K]): void {
  post({ type: "event", name, args, mirror: mirror() } satisfies Event<K>);
}

controller.on("status", (s) => emit("status", s));
controller.on("state", (s) => emit("state", s));
controller.on("alarm", (a) => emit("alarm", a));
controller.on("welcome", (v) => emit("welcome", v));
controller.on("message", (t) => emit("message", t));
controller.on("disconnected", (e) => emit("disconnected", wireError(e)));
controller.on("progress", (p) => emit("progress", p));

type Handlers = { [K in Op]: (...args: WorkerOps[K]["args"]) => WorkerOps[K]["value"] | Promise<WorkerOps[K]["value"]> };

const handlers: Handlers = {
  connect: () => controller.connect(),
  reconnect: () => controller.reconnect(),
  close: async () => {
    await controller.close();
    clock?.stop();
    if (!parentPort) setTimeout(() => process.exit(0), 50);
  },
  readSettings: () => controller.readSettings(),
  checkSettings: (expected) => controller.checkSettings(expected),
  requireSettings: (expected) => controller.requireSettings(expected),
  ensureWorkOffset: () => controller.ensureWorkOffset(),
  home: () => controller.home(),
  abortHoming: () => controller.abortHoming(),
  unlock: () => controller.unlock(),
  jog: (move) => controller.jog(move),
  jogCancel: () => controller.jogCancel(),
  refreshStatus: (timeoutMs) => controller.refreshStatus(timeoutMs),
  run: (lines, options) => controller.run(lines, options),
  pause: () => controller.pause(),
  resume: () => controller.resume(),
  abort: () => controller.abort(),
  reset: () => controller.reset(),
  adoptHomed: (position) => controller.adoptHomed(position),
  startPolling: (hz) => controller.startPolling(hz),
  stopPolling: () => controller.stopPolling(),
  simSnapshot: () =>
    sim && {
      now: sim.now,
      strikes: [...sim.strikes],
      pinIntervals: [...sim.pinIntervals],
      position: sim.position,
      machineState: sim.machineState,
      lostBytes: sim.lostBytes,
      inputBytes,
    },
  simAct: (action, alarm) => {
    if (!sim) throw new Error("there is no simulated head behind this controller");
    if (action === "hardLimit") sim.hardLimit();
    else if (action === "unplug") sim.unplug();
    else if (action === "softReset") sim.softReset();
    else if (action === "eStop") sim.eStop();
    else if (action === "silence") sim.silence();
    if (alarm !== undefined) sim.raiseAlarm(alarm);
  },
  ping: () => performance.now(),
};

function onRequest(m: Request): void {
  if (m?.type !== "request") return;
  const handler = handlers[m.op] as (...a: unknown[]) => unknown;
  void (async () => {
    let reply: Reply;
    try {
      const value = await handler(...(m.args as unknown[]));
      reply = { type: "reply", id: m.id, ok: true, value, mirror: mirror() };
    } catch (e) {
      reply = { type: "reply", id: m.id, ok: false, error: wireError(e), mirror: mirror() };
    }
    post(reply);
  })();
}

/** SimFaultSpec (data) → SimFaults (with the byte hook it describes). */
function faultsOf(spec: SimFaultSpec | undefined): SimFaults {
  if (!spec) return {};
  const { corruptG0, ...rest } = spec;
  if (!corruptG0) return rest;
  let line = "";
  let g0Seen = 0;
  let corrupted = 0;
  let armed = false;
  return {
    ...rest,
    inbound: (byte) => {
      if (byte === 0x0a) {
        line = "";
        armed = false;
        return byte;
      }
      if (byte === 0x3f || byte === 0x21 || byte === 0x7e || byte === 0x18 || byte >= 0x80) return byte; // real-time bytes are not line text
      line += String.fromCharCode(byte);
      const upper = line.toUpperCase().replace(/^N\d+/, "");
      if (upper === "G0" && line.length > 0 && !armed) {
        g0Seen++;
        const after = g0Seen - (corruptG0.skip ?? 0) - 1;
        armed = after >= 0 && after % (corruptG0.every ?? 1) === 0 && corrupted < corruptG0.count;
      }
      if (armed && byte >= 0x30 && byte <= 0x39 && new RegExp(`${corruptG0.axis ?? "X"}-?$`, "i").test(line.slice(0, -1))) {
        armed = false;
        corrupted++;
        return 0x30 + ((byte - 0x30 + (corruptG0.add ?? 2)) % 10);
      }
      return byte;
    },
  };
}
