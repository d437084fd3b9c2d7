import { createConnection, createServer, type Server, type Socket } from "node:net";

/** The server's CommandComplete for a COMMIT ('C', length, "COMMIT\0"). */
const COMMIT_DONE = Buffer.from("COMMIT\0");

/**
 * A TCP proxy in front of the test's PostgreSQL server, to be cut without restarting it:
 *   pass   bytes go both ways (the registry answers);
 *   cut    every connection is reset and new ones are reset on arrival (the registry is gone:
 *          a pulled cable answered by a router, a server stopped);
 *   stall  connections stay open and nothing is forwarded (a link that drops every packet:
 *          queries go unanswered, nothing says the link is down);
 * and, in pass, `dropOnCommit`: the link dropped just as the server answers a COMMIT.
 */
export class TcpProxy {
  mode: "pass" | "cut" | "stall" = "pass";
  /** Drop the connection as the server's answer to the next COMMIT passes (the row is in; the station never hears so). */
  dropOnCommit = false;
  commitsDropped = 0;
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on("connection", (client) => proxy.#accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  /** The URL of `url` with this proxy's host and port in place of the server's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(this.port);
    return u.toString();
  }

  cut(): void {
    this.mode = "cut";
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
  }

  stall(): void {
    this.mode = "stall";
    for (const p of this.#pairs) {
      p.client.pause();
      p.upstream.pause();
    }
  }

  /** Pass again. Stalled connections stay stalled (their queries are lost, as on a real link); new ones pass. */
  restore(): void {
    this.mode = "pass";
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, target: { host: string; port: number }): void {
    client.on("error", () => undefined);
    if (this.mode === "cut") {
      client.destroy();
      return;
    }
    if (this.mode === "stall") {
      client.pause();
      this.#pairs.add({ client, upstream: client });
      return;
    }
    const upstream = createConnection(target);
    upstream.on("error", () => client.destroy());
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const drop = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop);
    upstream.on("close", drop);
    // Forward by hand (not pipe): a stalled pair must hold its bytes, not buffer them for later.
    client.on("data", (d) => {
      if (this.mode === "pass") upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      if (this.mode !== "pass") return;
      if (this.dropOnCommit && d.includes(COMMIT_DONE)) {
        this.dropOnCommit = false;
        this.commitsDropped++;
        drop();
        return;
      }
      client.write(d);
    });
  }
}
