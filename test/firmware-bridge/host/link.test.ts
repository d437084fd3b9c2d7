import { afterEach, describe, expect, it } from "vitest";
import { Link } from "../../../firmware-bridge/link.ts";
import { ptyPair, type PtyPair } from "./pty.ts";

let pair: PtyPair | undefined;
const links: Link[] = [];

afterEach(async () => {
  for (const l of links.splice(0)) await l.close();
  await pair?.close();
  pair = undefined;
});

function nextLine(link: Link): Promise<string> {
  return new Promise((resolve) => link.once("line", resolve));
}

describe("link over a real pseudo-terminal", () => {
  it("opens a pty without modem-line ioctls, writes with drain, and reads \\r\\n lines without the \\r", async () => {
    pair = await ptyPair();
    const host = new Link({ path: pair.a });
    const head = new Link({ path: pair.b });
    links.push(host, head);
    await host.open();
    await head.open();
    expect(host.state).toBe("open");
    const atHead = nextLine(head);
    await host.write("$I\n");
    expect(await atHead).toBe("$I");
    const atHost = nextLine(host);
    await head.write("[VER:1.1h.20190825:]\r\n");
    expect(await atHost).toBe("[VER:1.1h.20190825:]");
  });

  it("a vanished port becomes 'disconnected' with one event, at the latest at the next write; writing then fails with a clear error", async () => {
    pair = await ptyPair();
    const host = new Link({ path: pair.a });
    links.push(host);
    await host.open();
    const events: string[] = [];
    host.on("disconnected", (e) => events.push(`${e.code}: ${e.message}`));
    await pair.close();
    // The read side usually sees the hangup; when it does not, the next write does (the
    // station asks for a status report five times a second).
    await new Promise((r) => setTimeout(r, 300));
    if (events.length === 0) await expect(host.write("?")).rejects.toMatchObject({ code: "E_LINK_DISCONNECTED" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^E_LINK_DISCONNECTED: the port .* disconnected .*check the cable/);
    expect(host.state).toBe("disconnected");
    await expect(host.write("?")).rejects.toMatchObject({ code: "E_LINK_CLOSED" });
  });

  it("holds the port exclusively: a second station process cannot open the same head", async () => {
    pair = await ptyPair();
    const first = new Link({ path: pair.a });
    const second = new Link({ path: pair.a });
    links.push(first, second);
    await first.open();
    await expect(second.open()).rejects.toMatchObject({ code: "E_LINK_OPEN", message: expect.stringContaining("lock") });
    expect(second.state).toBe("closed");
    expect(first.state).toBe("open");
  });

  it("names the port when it cannot be opened", async () => {
    const host = new Link({ path: "/dev/peenmark-no-such-port" });
    await expect(host.open()).rejects.toMatchObject({ code: "E_LINK_OPEN", message: expect.stringContaining("/dev/peenmark-no-such-port") });
    expect(host.state).toBe("closed");
  });
});
