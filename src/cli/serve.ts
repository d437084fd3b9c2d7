import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { isLoopback } from "../config.ts";
import { PeenmarkError } from "../errors.ts";

/** The names a service answers to: config.json `hostNames`, and the address it listens on (--host bench-3.plant.example). */
export function hostNamesOf(configured: readonly string[] | undefined, host: string): string[] {
  return [...(configured ?? []), ...(isLoopback(host) || host === "0.0.0.0" || host === "::" ? [] : [host])];
}

/**
 * What a command that serves HTTP does around its app (`peenmark station`, `peenmark registry`):
 * listen, with a sentence when it cannot; then run until SIGINT or SIGTERM closes the app (a
 * second signal while closing stops at once, exit 130).
 */
export async function listenOn(app: FastifyInstance, host: string, port: number): Promise<string> {
  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw listenError(e, host, port);
  }
  return address.endsWith("/") ? address : `${address}/`;
}

/** Resolves with the exit status once a signal has closed the app. `stopping`: what the log says closing does. */
export function untilStopped(app: FastifyInstance, log: Logger, command: string, stopping: string): Promise<number> {
  return new Promise<number>((done) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) {
        process.stderr.write(`peenmark ${command}: stopping now\n`);
        process.exit(130);
      }
      closing = true;
      log.info({ signal }, stopping);
      app.close().then(
        () => done(0),
        (e: unknown) => {
          log.error({ err: e }, "stopping failed");
          done(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
}

/** Why the service cannot listen, in one line: the port is taken, not allowed, or the address is not this computer's. */
export function listenError(e: unknown, host: string, port: number): PeenmarkError {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  const why =
    code === "EADDRINUSE"
      ? `port ${port} on ${host} is in use (another station, or another program): stop it, or start this one with --port N`
      : code === "EACCES"
        ? `port ${port} needs privileges this user does not have: use a port above 1023 (--port 8410)`
        : code === "EADDRNOTAVAIL"
          ? `${host} is not an address of this computer: use --host 127.0.0.1, or one of its own addresses`
          : `cannot listen on ${where}: ${(e as Error).message}`;
  return new PeenmarkError("E_LISTEN", why, { where, details: { code: code ?? null } });
}
