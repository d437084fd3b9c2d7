// Starts the streaming worker from its TypeScript source (a checkout run through tsx, the
// tests): registers tsx in this worker thread, then loads head-worker.ts. The bundle in dist/
// starts head-worker.js directly.
import { register } from "tsx/esm/api";
import { workerData } from "node:worker_threads";

register();
await import(workerData.entry);
