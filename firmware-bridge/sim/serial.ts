/**
 * The serial port (serial.c) and the wire on both sides of it. Bytes from the host arrive one
 * byte time apart (10 bits at the baud rate); the receive interrupt picks the real-time
 * commands out of the stream (`?` `!` `~` 0x18, and every byte above 0x7F) and puts the rest
 * into a 129-slot ring, so 128 bytes fit and a byte arriving to a full ring is lost. The main
 * program writes its answers into a 104-byte transmit ring (112 with line numbers) that the
 * transmitter empties at the baud rate; a write to a full ring blocks the main program.
 */
import type { Busy, Peripheral } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";
import { ACCESSORY_OVR, EXEC, MOTION_OVR, STATE } from "./system.ts";

/** config.h CMD_*: the real-time command bytes. */
export const CMD = {
  reset: 0x18,
  statusReport: 0x3f,
  cycleStart: 0x7e,
  feedHold: 0x21,
  safetyDoor: 0x84,
  jogCancel: 0x85,
  feedOvrReset: 0x90,
  feedOvrCoarsePlus: 0x91,
  feedOvrCoarseMinus: 0x92,
  feedOvrFinePlus: 0x93,
  feedOvrFineMinus: 0x94,
  rapidOvrReset: 0x95,
  rapidOvrMedium: 0x96,
  rapidOvrLow: 0x97,
  spindleOvrReset: 0x99,
  spindleOvrCoarsePlus: 0x9a,
  spindleOvrCoarseMinus: 0x9b,
  spindleOvrFinePlus: 0x9c,
  spindleOvrFineMinus: 0x9d,
  spindleOvrStop: 0x9e,
  coolantFloodOvrToggle: 0xa0,
  coolantMistOvrToggle: 0xa1,
} as const;

/** The USART's receive FIFO: what survives while the receive interrupt cannot run. */
const USART_RX_FIFO = 2;

export interface SerialFaults {
  /** Every byte from the host passes here on arrival: return it, another byte, or undefined (lost). */
  readonly inbound?: (byte: number, index: number) => number | undefined;
}

export class Serial implements Peripheral {
  /** Cycles per byte on the wire (0: instant). */
  readonly byteCycles: number;
  /** Bytes on their way from the host: arrival cycle of each. */
  private wire: { byte: number; at: number }[] = [];
  private wireHead = 0;
  private wireFree = 0;
  private inboundIndex = 0;
  /** serial_rx_buffer */
  private rx: number[] = [];
  private rxHead = 0;
  /** Bytes held in the USART while the receive interrupt is blocked (interrupts off). */
  private usart: number[] = [];
  private rxBlockedUntil = 0;
  /** Bytes lost: to a full ring, or to an overrun while interrupts were off. */
  lostBytes = 0;
  // transmit side
  private txDone = 0;
  private outgoing: { data: string; at: number }[] = [];
  private outgoingHead = 0;
  private unplugged = false;

  constructor(
    private readonly g: Grbl,
    baud: number,
    private readonly faults: SerialFaults = {},
    private readonly emit: (data: string) => void,
  ) {
    this.byteCycles = Number.isFinite(baud) ? (10 / baud) * 16_000_000 : 0;
  }

  // ------------------------------------------------------------ host → controller

  /** Bytes the host writes; each arrives one byte time after the one before it. */
  hostWrite(bytes: Uint8Array): void {
    if (this.unplugged) return;
    let at = Math.max(this.g.cpu.now, this.wireFree);
    for (const byte of bytes) {
      at += this.byteCycles;
      this.wire.push({ byte, at });
    }
    this.wireFree = at;
  }

  /** Nothing on the wire and nothing in the ring: the host has been fully heard. */
  get inputDrained(): boolean {
    return this.wireHead >= this.wire.length && this.rx.length - this.rxHead === 0 && this.usart.length === 0;
  }

  /** Nothing still to go out. */
  get outputDrained(): boolean {
    return this.outgoingHead >= this.outgoing.length;
  }

  nextEventTime(): number | undefined {
    const a = this.wireHead < this.wire.length ? this.wire[this.wireHead]!.at : undefined;
    const b = this.outgoingHead < this.outgoing.length ? this.outgoing[this.outgoingHead]!.at : undefined;
    const c = this.usart.length && this.rxBlockedUntil > this.g.cpu.now ? this.rxBlockedUntil : this.usart.length ? this.g.cpu.now : undefined;
    let t = a;
    for (const x of [b, c]) if (x !== undefined && (t === undefined || x < t)) t = x;
    return t;
  }

  runEvent(): void {
    const now = this.g.cpu.now;
    if (this.outgoingHead < this.outgoing.length && this.outgoing[this.outgoingHead]!.at <= now) {
      const o = this.outgoing[this.outgoingHead++]!;
      if (this.outgoingHead > 256) this.compactOutgoing();
      this.emit(o.data);
      return;
    }
    if (now >= this.rxBlockedUntil && this.usart.length) {
      this.receive(this.usart.shift()!);
      return;
    }
    if (this.wireHead < this.wire.length && this.wire[this.wireHead]!.at <= now) {
      const { byte: raw } = this.wire[this.wireHead++]!;
      if (this.wireHead > 4096) this.compactWire();
      const byte = this.faults.inbound ? this.faults.inbound(raw, this.inboundIndex) : raw;
      this.inboundIndex++;
      if (byte === undefined) return;
      if (now < this.rxBlockedUntil) {
        // Interrupts are off: the USART holds two bytes, the rest overrun.
        if (this.usart.length < USART_RX_FIFO) this.usart.push(byte);
        else this.lostBytes++;
        return;
      }
      this.receive(byte);
    }
  }

  private compactWire(): void {
    this.wire = this.wire.slice(this.wireHead);
    this.wireHead = 0;
  }

  private compactOutgoing(): void {
    this.outgoing = this.outgoing.slice(this.outgoingHead);
    this.outgoingHead = 0;
  }

  /** The receive interrupt cannot run until `cycle` (it is itself busy-waiting, interrupts off). */
  blockReceiveUntil(cycle: number): void {
    this.rxBlockedUntil = Math.max(this.rxBlockedUntil, cycle);
  }

  /** ISR(SERIAL_RX) */
  private receive(data: number): void {
    const g = this.g;
    const sys = g.sys;
    switch (data) {
      case CMD.reset:
        g.mc.reset(true);
        return;
      case CMD.statusReport:
        sys.setExecState(EXEC.statusReport);
        return;
      case CMD.cycleStart:
        sys.setExecState(EXEC.cycleStart);
        return;
      case CMD.feedHold:
        sys.setExecState(EXEC.feedHold);
        return;
    }
    if (data > 0x7f) {
      switch (data) {
        case CMD.safetyDoor:
          sys.setExecState(EXEC.safetyDoor);
          break;
        case CMD.jogCancel:
          if (sys.state & STATE.jog) sys.setExecState(EXEC.motionCancel);
          break;
        case CMD.feedOvrReset:
          sys.setMotionOverride(MOTION_OVR.feedReset);
          break;
        case CMD.feedOvrCoarsePlus:
          sys.setMotionOverride(MOTION_OVR.feedCoarsePlus);
          break;
        case CMD.feedOvrCoarseMinus:
          sys.setMotionOverride(MOTION_OVR.feedCoarseMinus);
          break;
        case CMD.feedOvrFinePlus:
          sys.setMotionOverride(MOTION_OVR.feedFinePlus);
          break;
        case CMD.feedOvrFineMinus:
          sys.setMotionOverride(MOTION_OVR.feedFineMinus);
          break;
        case CMD.rapidOvrReset:
          sys.setMotionOverride(MOTION_OVR.rapidReset);
          break;
        case CMD.rapidOvrMedium:
          sys.setMotionOverride(MOTION_OVR.rapidMedium);
          break;
        case CMD.rapidOvrLow:
          sys.setMotionOverride(MOTION_OVR.rapidLow);
          break;
        case CMD.spindleOvrReset:
          sys.setAccessoryOverride(ACCESSORY_OVR.spindleReset);
          break;
        case CMD.spindleOvrCoarsePlus:
          sys.setAccessoryOverride(ACCESSORY_OVR.spindleCoarsePlus);
          break;
        case CMD.spindleOvrCoarseMinus:
          sys.setAccessoryOverride(ACCESSORY_OVR.spindleCoarseMinus);
          break;
        case CMD.spindleOvrFinePlus:
          sys.setAccessoryOverride(ACCESSORY_OVR.spindleFinePlus);
          break;
        case CMD.spindleOvrFineMinus:
          sys.setAccessoryOverride(ACCESSORY_OVR.spindleFineMinus);
          break;
        case CMD.spindleOvrStop:
          sys.setAccessoryOverride(ACCESSORY_OVR.spindleStop);
          break;
        case CMD.coolantFloodOvrToggle:
          sys.setAccessoryOverride(ACCESSORY_OVR.floodToggle);
          break;
        case CMD.coolantMistOvrToggle:
          if (g.build.options.mistCoolant) sys.setAccessoryOverride(ACCESSORY_OVR.mistToggle);
          break;
      }
      return; // any other byte above 0x7F is thrown away
    }
    if (this.rx.length - this.rxHead >= g.build.rxBufferSize) {
      this.lostBytes++;
      return;
    }
    this.rx.push(data);
  }

  /** serial_read: the next byte of the ring, or undefined. */
  read(): number | undefined {
    if (this.rxHead >= this.rx.length) return undefined;
    const b = this.rx[this.rxHead++]!;
    if (this.rxHead === this.rx.length) {
      this.rx = [];
      this.rxHead = 0;
    }
    return b;
  }

  /** serial_get_rx_buffer_available: the free bytes `Bf:` reports. */
  rxAvailable(): number {
    return this.g.build.rxBufferSize - (this.rx.length - this.rxHead);
  }

  /** serial_reset_read_buffer: everything received and not yet read is dropped. */
  resetReadBuffer(): void {
    this.rx = [];
    this.rxHead = 0;
  }

  // ------------------------------------------------------------ controller → host

  /**
   * serial_write of a whole text: its bytes go out one byte time apart after what is
   * queued; the main program goes on once the last byte is in the transmit ring.
   */
  *print(text: string): Busy<void> {
    if (this.unplugged || text === "") return;
    const now = this.g.cpu.now;
    let t = Math.max(now, this.txDone);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      t += this.byteCycles;
      if (text.charCodeAt(i) === 0x0a) {
        this.outgoing.push({ data: text.slice(start, i + 1), at: t });
        start = i + 1;
      }
    }
    if (start < text.length) this.outgoing.push({ data: text.slice(start), at: t });
    this.txDone = t;
    // The ring holds TX_BUFFER_SIZE bytes besides the one being shifted out.
    const free = t - (this.g.build.txBufferSize + 1) * this.byteCycles;
    if (free > now) yield free;
  }

  /** The port vanishes (cable pulled): nothing more in or out. */
  unplug(): void {
    this.unplugged = true;
    this.wire = [];
    this.wireHead = 0;
    this.outgoing = [];
    this.outgoingHead = 0;
    this.usart = [];
  }

  get isUnplugged(): boolean {
    return this.unplugged;
  }
}

/** Bytes GRBL would take as real-time commands (serial.c): the ASCII four and everything above 0x7F. */
export function isRealtimeCommand(byte: number): boolean {
  return byte >= 0x80 || byte === CMD.reset || byte === CMD.statusReport || byte === CMD.cycleStart || byte === CMD.feedHold;
}

