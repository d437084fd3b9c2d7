/**
 * The simulated head behind serialport's binding interface, so that
 * `new SerialPort({ path: "sim://bench", baudRate: 115200, binding: SimBinding })` (or a
 * SerialPortStream) talks to a SimHead exactly as it would to a real port. Paths are
 * `sim://<name>`; a head registered under the path is used, otherwise a bench head with a
 * FastClock is created on first open and kept for later opens.
 */
import type { BindingInterface, BindingPortInterface, OpenOptions, PortInfo, PortStatus, SetOptions, UpdateOptions } from "@serialport/bindings-interface" with { "resolution-mode": "require" };
import { FastClock, type HeadClock } from "./clock.ts";
import { SimHead } from "./head.ts";

interface Entry {
  readonly head: SimHead;
  readonly clock: HeadClock | undefined;
  open: boolean;
}

const heads = new Map<string, Entry>();

export const SIM_PREFIX = "sim://";

/** Put `head` behind `path` (driven by `clock` while a port is open, if given). Returns a function that removes it. */
export function registerSimHead(path: string, head: SimHead, clock?: HeadClock): () => void {
  if (!path.startsWith(SIM_PREFIX)) throw new Error(`simulated port paths start with ${SIM_PREFIX}: ${path}`);
  heads.set(path, { head, clock, open: false });
  return () => {
    if (heads.get(path)?.head === head) heads.delete(path);
  };
}

/** The head behind a path, if one is registered or was created by an open. */
export function simHeadAt(path: string): SimHead | undefined {
  return heads.get(path)?.head;
}

class BindingError extends Error {
  constructor(
    message: string,
    readonly canceled = false,
  ) {
    super(message);
  }
}

export class SimPort implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  private inbox: Buffer[] = [];
  private reader: { resolve: (n: number) => void; reject: (e: Error) => void; buffer: Buffer; offset: number; length: number } | undefined;
  private readonly onOutput = (data: Buffer) => {
    this.inbox.push(data);
    this.serveReader();
  };
  /** Like a pulled USB cable: the pending read fails (not canceled), which serialport treats as a disconnect. */
  private readonly onUnplug = () => {
    this.reader?.reject(new BindingError("the simulated head was unplugged"));
    this.reader = undefined;
  };

  constructor(
    private readonly entry: Entry,
    options: OpenOptions,
  ) {
    this.openOptions = { dataBits: 8, lock: true, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false, xany: false, hupcl: true, ...options } as Required<OpenOptions>;
    entry.open = true;
    entry.head.on("output", this.onOutput);
    entry.head.on("unplug", this.onUnplug);
    entry.clock?.start();
  }

  get head(): SimHead {
    return this.entry.head;
  }

  private detach(): void {
    this.entry.head.off("output", this.onOutput);
    this.entry.head.off("unplug", this.onUnplug);
    this.entry.clock?.stop();
    this.entry.open = false;
  }

  private serveReader(): void {
    const r = this.reader;
    if (!r || !this.inbox.length) return;
    let n = 0;
    while (this.inbox.length && n < r.length) {
      const chunk = this.inbox[0]!;
      const take = Math.min(chunk.length, r.length - n);
      chunk.copy(r.buffer, r.offset + n, 0, take);
      n += take;
      if (take === chunk.length) this.inbox.shift();
      else this.inbox[0] = chunk.subarray(take);
    }
    this.reader = undefined;
    r.resolve(n);
  }

  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) return Promise.reject(new BindingError("port is not open", true));
    if (this.entry.head.isUnplugged) return Promise.reject(new BindingError("the simulated head was unplugged"));
    if (this.reader) return Promise.reject(new Error("a read is already pending"));
    return new Promise((resolve, reject) => {
      this.reader = { resolve: (bytesRead) => resolve({ buffer, bytesRead }), reject, buffer, offset, length };
      this.serveReader();
    });
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw new BindingError("port is not open", true);
    if (this.entry.head.isUnplugged) throw new BindingError("the simulated head was unplugged");
    this.entry.head.write(Buffer.from(buffer));
  }

  async update(options: UpdateOptions): Promise<void> {
    this.openOptions.baudRate = options.baudRate;
  }

  async set(_options: SetOptions): Promise<void> {}

  async get(): Promise<PortStatus> {
    return { cts: true, dsr: true, dcd: true };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    this.inbox = [];
  }

  async drain(): Promise<void> {}

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.detach();
    this.reader?.reject(new BindingError("port closed", true));
    this.reader = undefined;
  }
}

export const SimBinding: BindingInterface<SimPort, OpenOptions, PortInfo> = {
  async list(): Promise<PortInfo[]> {
    return [...heads.keys()].map((path) => ({ path, manufacturer: "peenmark simulated head", serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined }));
  },
  async open(options: OpenOptions): Promise<SimPort> {
    if (!options.path.startsWith(SIM_PREFIX)) throw new Error(`not a simulated port: ${options.path} (expected ${SIM_PREFIX}<name>)`);
    let entry = heads.get(options.path);
    if (!entry) {
      const head = new SimHead({ baud: options.baudRate });
      entry = { head, clock: new FastClock(head), open: false };
      heads.set(options.path, entry);
    }
    if (entry.open) throw new Error(`${options.path} is already open`);
    if (entry.head.isUnplugged) throw new Error(`${options.path}: no such device (unplugged)`);
    return new SimPort(entry, options);
  },
};
