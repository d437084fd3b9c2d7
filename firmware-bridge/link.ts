import { EventEmitter } from "node:events";
import { SerialPort, ReadlineParser } from "serialport";
import { SerialPortStream } from "@serialport/stream";
import { BridgeError } from "./errors.ts";

/**
 * The serial link to the head's controller: open, close, write-and-drain, and the lines the
 * controller sends. Nothing here knows GRBL beyond "lines end with \n" (GRBL sends \r\n;
 * the \r is dropped). The port behind it is any node-serialport binding: the OS one for a
 * real controller or a pseudo-terminal, MockBinding in tests, the simulated head's binding
 * in process — nothing above the link knows which it has.
 *
 * A vanished port (cable pulled, controller powered off, the pty's other end closed) is a
 * state, `disconnected`, announced by an event; it is never thrown at nobody.
 */
/**
 * node-serialport's binding interface (`@serialport/bindings-interface`), the part the stream
 * calls; spelled out here because that package ships no types under nodenext resolution.
 * MockBinding, the OS binding and the simulated head's binding all fit it.
 */
export interface BindingInterface {
  list(): Promise<unknown[]>;
  open(options: { path: string; baudRate: number; [option: string]: unknown }): Promise<unknown>;
}

export type LinkState = "closed" | "opening" | "open" | "disconnected";

export interface LinkOptions {
  /** Device path (/dev/ttyUSB0, a pty link, or a mock/sim port name). */
  readonly path: string;
  /** Bits per second; GRBL 1.1 runs at 115200. */
  readonly baudRate?: number;
  /** node-serialport binding; defaults to the OS binding serialport picks for this platform. */
  readonly binding?: BindingInterface;
}

export interface LinkEvents {
  /** One line from the controller, without its line ending. */
  line: [line: string];
  /** Bytes handed to the port (after the write resolved), for logs and tests. */
  sent: [bytes: Buffer];
  state: [state: LinkState];
  /** The port vanished; the link is now `disconnected` until reopened. */
  disconnected: [error: BridgeError];
}

export class Link extends EventEmitter<LinkEvents> {
  readonly path: string;
  readonly baudRate: number;
  private readonly binding: BindingInterface;
  private port: SerialPortStream | undefined;
  private _state: LinkState = "closed";
  private _lastError: BridgeError | undefined;

  constructor(options: LinkOptions) {
    super();
    this.path = options.path;
    this.baudRate = options.baudRate ?? 115200;
    this.binding = options.binding ?? (SerialPort.binding as BindingInterface);
  }

  get state(): LinkState {
    return this._state;
  }

  /** Why the link last went down, if it did. */
  get lastError(): BridgeError | undefined {
    return this._lastError;
  }

  async open(): Promise<void> {
    if (this._state === "open" || this._state === "opening") throw new BridgeError("E_LINK_OPEN", `the port ${this.path} is already ${this._state}`, { where: this.path });
    this.setState("opening");
    // hupcl off: a pseudo-terminal has no modem lines to drop, and a stock GRBL board
    // (Arduino) resets when DTR drops, which we do not want on close. The port stays locked
    // (exclusive), so a second station process cannot drive the same head.
    const port = new SerialPortStream({ binding: this.binding, path: this.path, baudRate: this.baudRate, autoOpen: false, hupcl: false, lock: true } as never);
    const parser = port.pipe(new ReadlineParser({ delimiter: "\n" }));
    parser.on("data", (raw: string) => {
      if (this.port !== port) return;
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.length > 0) this.emit("line", line);
    });
    // Errors on the stream also surface through write callbacks or 'close'; a listener is
    // needed so that an 'error' event never becomes an uncaught exception.
    port.on("error", (e: Error) => {
      this._lastError = new BridgeError("E_LINK_DISCONNECTED", `the port ${this.path} failed: ${e.message}`, { where: this.path, cause: e });
    });
    port.on("close", (e: (Error & { disconnected?: boolean }) | null) => {
      if (this.port !== port) return;
      if (e && e.disconnected) this.lost(port, e);
      else {
        this.port = undefined;
        this.setState("closed");
      }
    });
    this.port = port;
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (!err) return resolve();
        this.port = undefined;
        this.setState("closed");
        const e = new BridgeError("E_LINK_OPEN", `cannot open the port ${this.path}: ${err.message}`, { where: this.path, cause: err });
        this._lastError = e;
        reject(e);
      });
    });
    this.setState("open");
  }

  /** Close the port; a no-op when it is not open. */
  async close(): Promise<void> {
    const port = this.port;
    if (!port) {
      if (this._state === "disconnected") this.setState("closed");
      return;
    }
    this.port = undefined;
    await new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    });
    this.setState("closed");
  }

  /** Close (if open) and open again: what a technician asks for after plugging the cable back. */
  async reconnect(): Promise<void> {
    await this.close();
    await this.open();
  }

  /**
   * Hand bytes to the port and resolve once they have left the OS buffer (drain). Real-time
   * bytes go through here too: the link has no queue of its own (flow control lives in the
   * streamer), so nothing waits in front of them but bytes already written.
   */
  async write(bytes: string | Buffer): Promise<void> {
    const port = this.port;
    if (!port || this._state !== "open") {
      throw new BridgeError("E_LINK_CLOSED", `cannot write to ${this.path}: the link is ${this._state}`, { where: this.path });
    }
    if (!port.isOpen) {
      // The binding dropped the port without the stream announcing it (a stream write would
      // then wait for an 'open' that never comes): treat it as the unplug it is.
      this.lost(port, new Error("the port is no longer open"));
      throw new BridgeError("E_LINK_DISCONNECTED", `cannot write to ${this.path}: the port vanished`, { where: this.path });
    }
    const buf = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    await new Promise<void>((resolve, reject) => {
      port.write(buf, (err) => {
        if (err) {
          // A tty whose other end is gone fails writes with EIO (the read side does not always
          // see the hangup first): that is the unplug, announced once.
          this.lost(port, err);
          return reject(new BridgeError("E_LINK_DISCONNECTED", `writing to ${this.path} failed: ${err.message}`, { where: this.path, cause: err }));
        }
        port.drain((derr) => {
          if (derr && port.isOpen) return reject(new BridgeError("E_LINK_DISCONNECTED", `writing to ${this.path} failed: ${derr.message}`, { where: this.path, cause: derr }));
          resolve();
        });
      });
    });
    this.emit("sent", buf);
  }

  /** The port went away under us: one `disconnected` event, the port released. */
  private lost(port: SerialPortStream, cause: Error): void {
    if (this.port !== port) return;
    this.port = undefined;
    const err = new BridgeError("E_LINK_DISCONNECTED", `the port ${this.path} disconnected (${cause.message}): check the cable and the controller's power, then reconnect`, { where: this.path, cause });
    this._lastError = err;
    this.setState("disconnected");
    this.emit("disconnected", err);
    if (port.isOpen) port.close(() => undefined);
  }

  private setState(s: LinkState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit("state", s);
  }
}
