// Starts a worker (thread or child process) from its TypeScript source (a checkout run through tsx, the
// tests): registers tsx in this worker thread, then loads head-worker.ts. The bundle in dist/
// starts head-worker.js directly.
import { register } from "tsx/esm/api";
import { workerData } from "node:worker_threads";

register();
// A worker thread gets the entry in workerData; a child process as its first argument.
await import(workerData?.entry ?? process.argv[2]);
