import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { PeenmarkError, type ErrorCode } from "../errors.ts";
import type { Profile } from "../profile/schema.ts";
import type { Station } from "../profile/station.ts";
import type { MarkingRecord } from "../record/schema.ts";
import type { previewOf } from "./preview.ts";

/**
 * Previews compile here, off the service's event loop: a small pool of worker threads
 * (compile-worker.ts) with a bounded queue. On the 2-core bench PC the pool is one thread —
 * the other core is the service's and the streaming worker's — and a flood of previews waits
 * in the queue up to `maxQueued`, then is refused at once with 503 E_OVERLOADED: the page
 * retries, nothing stalls. The head is never touched from here.
 */
export interface CompileTask {
  readonly id: number;
  readonly profile: Profile;
  readonly record: unknown;
  readonly station: Station;
  /** ISO 8601. */
  readonly markedAt: string;
}

export type Preview = ReturnType<typeof previewOf>;

export type CompileReply =
  | { readonly id: number; readonly ok: true; readonly record: MarkingRecord; readonly preview: Preview; readonly json: string }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code?: ErrorCode; readonly message: string; readonly where?: string; readonly details?: Record<string, unknown> } };

export interface CompilePoolOptions {
  /** Worker threads (default: cores − 1, at least 1, at most 2). */
  readonly size?: number;
  /** Previews waiting for a thread beyond those compiling; one more is refused (E_OVERLOADED). Default 8. */
  readonly maxQueued?: number;
}

/** A compiled preview: the record as parsed, the preview, and both as the JSON the route answers (serialized in the worker, not on the service's loop). */
export interface PreviewResult {
  readonly record: MarkingRecord;
  readonly preview: Preview;
  /** `{ ...preview, record }` as JSON. */
  readonly json: string;
}

interface Slot {
  worker: Worker | undefined;
  busy: { task: CompileTask; resolve: (r: PreviewResult) => void; reject: (e: Error) => void } | undefined;
}

function entry(): { url: URL; data: Record<string, unknown> } {
  const here = import.meta.url;
  if (/\.ts$/.test(new URL(here).pathname)) return { url: new URL("../../firmware-bridge/worker/boot.mjs", here), data: { entry: new URL("./compile-worker.ts", here).href } };
  return { url: new URL("./compile-worker.js", here), data: {} };
}

export class CompilePool {
  readonly size: number;
  readonly maxQueued: number;
  readonly #slots: Slot[];
  readonly #queue: { task: CompileTask; resolve: (r: PreviewResult) => void; reject: (e: Error) => void }[] = [];
  #nextId = 0;
  #closed = false;

  constructor(options: CompilePoolOptions = {}) {
    this.size = options.size ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.maxQueued = options.maxQueued ?? 8;
    this.#slots = Array.from({ length: this.size }, () => ({ worker: undefined, busy: undefined }));
  }

  /** Previews compiling or waiting. */
  get load(): number {
    return this.#queue.length + this.#slots.filter((s) => s.busy).length;
  }

  /** Every thread busy and the queue full: the next preview would be refused. */
  get full(): boolean {
    return this.#closed || (!this.#slots.some((s) => !s.busy) && this.#queue.length >= this.maxQueued);
  }

  /** The refusal a preview gets when the pool is full (503). */
  overloaded(): PeenmarkError {
    if (this.#closed) return new PeenmarkError("E_OVERLOADED", "the station is shutting down: no more previews");
    return new PeenmarkError("E_OVERLOADED", `the station is compiling ${this.load} previews already (at most ${this.size} at once and ${this.maxQueued} waiting): try again in a moment`, { details: { compiling: this.size, waiting: this.#queue.length } });
  }

  /** Validate the record and compile it with the profile into a preview, in a worker thread. */
  preview(profile: Profile, record: unknown, station: Station, markedAt: Date): Promise<PreviewResult> {
    if (this.full) return Promise.reject(this.overloaded());
    const free = this.#slots.find((s) => !s.busy);
    const task: CompileTask = { id: ++this.#nextId, profile, record, station, markedAt: markedAt.toISOString() };
    return new Promise((resolve, reject) => {
      const job = { task, resolve, reject };
      if (free) this.#start(free, job);
      else this.#queue.push(job);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const q of this.#queue.splice(0)) q.reject(new PeenmarkError("E_OVERLOADED", "the station is shutting down: no more previews"));
    await Promise.all(this.#slots.map(async (s) => s.worker?.terminate()));
  }

  #start(slot: Slot, job: NonNullable<Slot["busy"]>): void {
    slot.busy = job;
    const w = (slot.worker ??= this.#spawn(slot));
    w.postMessage(job.task);
  }

  #spawn(slot: Slot): Worker {
    const { url, data } = entry();
    const w = new Worker(url, { workerData: data });
    w.unref();
    w.on("message", (r: CompileReply) => {
      const job = slot.busy;
      if (!job || job.task.id !== r.id) return;
      slot.busy = undefined;
      if (r.ok) job.resolve({ record: r.record, preview: r.preview, json: r.json });
      else job.reject(r.error.code ? new PeenmarkError(r.error.code, r.error.message, { ...(r.error.where === undefined ? {} : { where: r.error.where }), details: r.error.details ?? {} }) : new Error(r.error.message));
      this.#next(slot);
    });
    const died = (e: Error) => {
      if (slot.worker !== w) return;
      slot.worker = undefined;
      const job = slot.busy;
      slot.busy = undefined;
      job?.reject(new Error(`a preview worker stopped: ${e.message}`));
      if (!this.#closed) this.#next(slot);
    };
    w.on("error", died);
    w.on("exit", (code) => died(new Error(`exit code ${code}`)));
    return w;
  }

  #next(slot: Slot): void {
    const job = this.#queue.shift();
    if (job) this.#start(slot, job);
  }
}
