import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * The link between a station and the registry, cut on purpose: a TCP relay between the
 * journal and the server that can refuse connections, drop every open one, or drop one just
 * as the server answers a COMMIT (the write is in; the station never hears so).
 */
export class Relay {
  readonly server: Server;
  port = 0;
  up = true;
  /** Drop the link when the server's answer to the next COMMIT passes (the row is committed). */
  dropOnCommit = false;
  commitsDropped = 0;
  readonly #pairs = new Set<[Socket, Socket]>();

  constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (!this.up) {
        client.destroy();
        return;
      }
      const upstream = connect(target.port, target.host);
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.#pairs.delete(pair);
      };
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
      client.on("data", (d) => upstream.write(d));
      upstream.on("data", (d: Buffer) => {
        // CommandComplete ('C', length, "COMMIT\0"): the server has committed.
        if (this.dropOnCommit && d.includes(Buffer.from("COMMIT\0"))) {
          this.dropOnCommit = false;
          this.commitsDropped++;
          close();
          return;
        }
        client.write(d);
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((ok) => this.server.listen(0, "127.0.0.1", ok));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Every open connection dropped; new ones refused until `restore`. */
  cut(): void {
    this.up = false;
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((ok) => this.server.close(ok));
  }
}

