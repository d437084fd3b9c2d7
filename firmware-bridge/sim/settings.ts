/**
 * GRBL's settings and its EEPROM (settings.c): the `$N` values with the checks
 * settings_store_global_setting makes, the coordinate data (G54–G59, G28, G30), the two
 * startup lines and the build-info text, and $RST's restores. Values are kept as `$$`
 * prints them (acceleration mm/s², travel positive); the getters give the planner its
 * internal units.
 */
import { GRBL_SETTINGS, grblSetting, stockSettings } from "../protocol.ts";
import type { Vec3 } from "../kinematics.ts";
import { f32, toUint8 } from "./nuts-bolts.ts";
import { GRBL } from "./config.ts";
import type { Busy } from "./cpu.ts";
import type { Grbl } from "./grbl.ts";

/** report.h STATUS_* codes that the settings store answers. */
const STATUS_OK = 0;
const STATUS_NEGATIVE_VALUE = 4;
const STATUS_SETTING_STEP_PULSE_MIN = 6;
const STATUS_SOFT_LIMIT_ERROR = 10;
const STATUS_INVALID_STATEMENT = 3;

/** Settings stored as a bit or a byte (settings.c: int_value = trunc(value), into a uint8). */
const BOOLEAN = new Set([4, 5, 6, 13, 20, 21, 22, 32]);
const BYTE = new Set([0, 1, 2, 3, 10, 23, 26]);

/** settings.h SETTING_INDEX_G28, SETTING_INDEX_G30: after G54–G59 in the coordinate EEPROM block. */
export const COORD_G28 = GRBL.nCoordinateSystems;
export const COORD_G30 = GRBL.nCoordinateSystems + 1;

/** settings.h EEPROM_ADDR_* and SETTINGS_VERSION: where each thing lives in the 1 KB EEPROM. */
export const EEPROM_ADDR = { version: 0, global: 1, parameters: 512, startupBlock: 768, buildInfo: 942 } as const;
const SETTINGS_VERSION = 10;
/** settings.h BIT_* in settings.flags */
const FLAG_BITS: Readonly<Record<number, number>> = { 13: 0, 32: 1, 4: 2, 21: 3, 22: 4, 20: 5, 5: 6, 6: 7 };
/** ATmega328p EEPROM programming times (datasheet): erase+write, and erase-only or write-only. */
const EEPROM_ERASE_WRITE_MS = 3.4;
const EEPROM_ERASE_OR_WRITE_MS = 1.8;

/**
 * settings_t as the host build of grbl lays it out (x86-64 gcc: each float 4-aligned):
 * the bytes written to EEPROM at EEPROM_ADDR_GLOBAL. Floats are IEEE single, little-endian;
 * acceleration is kept in mm/min², travel negated.
 */
export function encodeSettings(v: ReadonlyMap<number, number>): Uint8Array {
  const buf = new ArrayBuffer(92);
  const d = new DataView(buf);
  const f = (at: number, x: number) => d.setFloat32(at, x, true);
  for (let i = 0; i < 3; i++) {
    f(i * 4, v.get(100 + i) ?? 0);
    f(12 + i * 4, v.get(110 + i) ?? 0);
    f(24 + i * 4, Math.fround(Math.fround((v.get(120 + i) ?? 0) * 60) * 60));
    f(36 + i * 4, -(v.get(130 + i) ?? 0));
  }
  d.setUint8(48, v.get(0) ?? 0);
  d.setUint8(49, v.get(2) ?? 0);
  d.setUint8(50, v.get(3) ?? 0);
  d.setUint8(51, v.get(1) ?? 0);
  d.setUint8(52, v.get(10) ?? 0);
  f(56, v.get(11) ?? 0);
  f(60, v.get(12) ?? 0);
  f(64, v.get(30) ?? 0);
  f(68, v.get(31) ?? 0);
  let flags = 0;
  for (const [id, b] of Object.entries(FLAG_BITS)) if (v.get(Number(id))) flags |= 1 << b;
  d.setUint8(72, flags);
  d.setUint8(73, v.get(23) ?? 0);
  f(76, v.get(24) ?? 0);
  f(80, v.get(25) ?? 0);
  d.setUint16(84, v.get(26) ?? 0, true);
  f(88, v.get(27) ?? 0);
  return new Uint8Array(buf);
}

/** eeprom.c memcpy_to_eeprom_with_checksum's checksum (its `||` makes it 0 or 1 plus the last byte). */
function checksum(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) {
    c = (c << 1 || c >> 7 ? 1 : 0) & 0xff;
    c = (c + b) & 0xff;
  }
  return c;
}

/**
 * The ATmega328p's 1 KB EEPROM as grbl uses it (eeprom.c): eeprom_put_char waits, with
 * interrupts off, for the previous write to finish, then starts one only if the byte changes
 * (3.4 ms erase+write, 1.8 ms erase- or write-only); eeprom_get_char waits too. So a `$x=`
 * costs 3.4 ms per changed byte, and bytes arriving meanwhile can overrun the USART.
 */
export class Eeprom {
  readonly image = new Uint8Array(1024);
  private busyUntil = 0;

  constructor(private readonly g: Grbl) {}

  /** eeprom_put_char */
  *put(addr: number, value: number): Busy<void> {
    const cpu = this.g.cpu;
    if (this.busyUntil > cpu.now) {
      this.g.serial.blockReceiveUntil(this.busyUntil);
      yield this.busyUntil;
    }
    if (addr >= this.image.length) return;
    const old = this.image[addr]!;
    const diff = old ^ value;
    const ms = diff & value ? (value !== 0xff ? EEPROM_ERASE_WRITE_MS : EEPROM_ERASE_OR_WRITE_MS) : diff ? EEPROM_ERASE_OR_WRITE_MS : 0;
    if (ms) {
      this.image[addr] = value;
      this.busyUntil = cpu.now + cpu.ms(ms);
    }
  }

  /** eeprom_get_char */
  *get(addr: number): Busy<number> {
    if (this.busyUntil > this.g.cpu.now) yield this.busyUntil;
    return addr < this.image.length ? this.image[addr]! : 0xff;
  }

  /** memcpy_to_eeprom_with_checksum */
  *write(destination: number, bytes: Uint8Array): Busy<void> {
    for (let i = 0; i < bytes.length; i++) yield* this.put(destination + i, bytes[i]!);
    yield* this.put(destination + bytes.length, checksum(bytes));
  }

  /** memcpy_from_eeprom_with_checksum: the bytes, and whether the stored checksum matches. */
  *read(source: number, size: number): Busy<{ bytes: Uint8Array; ok: boolean }> {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = yield* this.get(source + i);
    const stored = yield* this.get(source + size);
    return { bytes, ok: stored === checksum(bytes) };
  }

  /** A formatted EEPROM, as grbl-host's default: these settings, everything else zero (valid, empty). */
  format(settings: ReadonlyMap<number, number>): void {
    this.image.fill(0);
    this.image[EEPROM_ADDR.version] = SETTINGS_VERSION;
    const g = encodeSettings(settings);
    this.image.set(g, EEPROM_ADDR.global);
    this.image[EEPROM_ADDR.global + g.length] = checksum(g);
  }
}

const COORD_SIZE = 12;
const LINE_SIZE = GRBL.lineBufferSize;

export class Settings {
  private readonly values: Map<number, number>;
  readonly eeprom: Eeprom;

  /** `initial`: the EEPROM contents at power-up (the head as it was set up). */
  constructor(
    private readonly g: Grbl,
    initial: ReadonlyMap<number, number>,
    coords: { g54?: Partial<Record<"x" | "y" | "z", number>> } = {},
  ) {
    this.values = new Map();
    for (const s of GRBL_SETTINGS) this.values.set(s.id, this.normalise(s.id, initial.get(s.id) ?? s.grblDefault));
    this.eeprom = new Eeprom(g);
    this.eeprom.format(this.values);
    if (coords.g54) {
      const b = encodeCoord([coords.g54.x ?? 0, coords.g54.y ?? 0, coords.g54.z ?? 0]);
      this.eeprom.image.set(b, EEPROM_ADDR.parameters);
      this.eeprom.image[EEPROM_ADDR.parameters + COORD_SIZE] = checksum(b);
    }
  }

  /** A value as stored: bytes wrap as the uint8 they are kept in, booleans are 0/1, floats single precision. */
  private normalise(id: number, value: number): number {
    if (BOOLEAN.has(id)) return toUint8(value) ? 1 : 0;
    if (BYTE.has(id)) return toUint8(value);
    return f32(value);
  }

  value(id: number): number {
    return this.values.get(id) ?? 0;
  }

  /** Every setting, in `$$` order. */
  all(): ReadonlyMap<number, number> {
    return this.values;
  }

  laserMode(): boolean {
    return this.value(32) !== 0;
  }

  stepsPerMm(): Vec3 {
    return [this.value(100), this.value(101), this.value(102)];
  }

  /** mm/min */
  maxRate(): Vec3 {
    return [this.value(110), this.value(111), this.value(112)];
  }

  /** mm/min², as settings.c stores $12x (× 60 × 60). */
  accelerationPerMin2(): Vec3 {
    return [f32(f32(this.value(120) * 60) * 60), f32(f32(this.value(121) * 60) * 60), f32(f32(this.value(122) * 60) * 60)];
  }

  /** $130–$132, mm (positive; GRBL stores them negated). */
  maxTravel(): Vec3 {
    return [this.value(130), this.value(131), this.value(132)];
  }

  /**
   * settings_store_global_setting: the status code GRBL answers for `$parameter=value`
   * (parameter already truncated to a byte by system.c), and the EEPROM write on success.
   */
  *storeGlobal(parameter: number, value: number): Busy<number> {
    if (value < 0) return STATUS_NEGATIVE_VALUE;
    if (parameter >= 100) {
      // Axis settings: $100–$102, $110–$112, $120–$122, $130–$132.
      const p = parameter - 100;
      const group = Math.floor(p / 10);
      const axis = p % 10;
      if (group > 3 || axis >= 3) return STATUS_INVALID_STATEMENT;
      this.values.set(parameter, f32(value));
    } else {
      if (!grblSetting(parameter)) return STATUS_INVALID_STATEMENT;
      const intValue = toUint8(value);
      if (parameter === 0 && intValue < 3) return STATUS_SETTING_STEP_PULSE_MIN;
      if (parameter === 20 && intValue && !this.value(22)) return STATUS_SOFT_LIMIT_ERROR;
      this.values.set(parameter, this.normalise(parameter, value));
      if (parameter === 22 && !intValue) this.values.set(20, 0); // no homing, no soft limits
    }
    yield* this.writeGlobal();
    return STATUS_OK;
  }

  /** write_global_settings: the version byte, then the settings struct with its checksum. */
  private *writeGlobal(): Busy<void> {
    yield* this.eeprom.put(EEPROM_ADDR.version, SETTINGS_VERSION);
    yield* this.eeprom.write(EEPROM_ADDR.global, encodeSettings(this.values));
  }

  /** settings_restore: `$RST=$` compile-time defaults, `#` coordinate data zeroed, `*` both plus startup lines and build info. */
  *restore(what: "$" | "#" | "*"): Busy<void> {
    if (what === "$" || what === "*") {
      for (const [id, v] of stockSettings()) this.values.set(id, this.normalise(id, v));
      yield* this.writeGlobal();
    }
    if (what === "#" || what === "*") for (let i = 0; i <= COORD_G30; i++) yield* this.writeCoordData(i, [0, 0, 0]);
    if (what === "*") {
      // As settings.c does: the line's first byte and the byte after it (not the checksum at the end).
      const b = EEPROM_ADDR.startupBlock;
      yield* this.eeprom.put(b, 0);
      yield* this.eeprom.put(b + 1, 0);
      yield* this.eeprom.put(b + LINE_SIZE + 1, 0);
      yield* this.eeprom.put(b + LINE_SIZE + 2, 0);
      yield* this.eeprom.put(EEPROM_ADDR.buildInfo, 0);
      yield* this.eeprom.put(EEPROM_ADDR.buildInfo + 1, 0);
    }
  }

  /** settings_read_coord_data: G54–G59 (0–5), G28 (6), G30 (7), mm; a bad checksum zeroes and rewrites them. */
  *readCoordData(index: number): Busy<{ data: Vec3; ok: boolean }> {
    const r = yield* this.eeprom.read(coordAddr(index), COORD_SIZE);
    if (!r.ok) {
      yield* this.writeCoordData(index, [0, 0, 0]);
      return { data: [0, 0, 0], ok: false };
    }
    const d = new DataView(r.bytes.buffer);
    return { data: [d.getFloat32(0, true), d.getFloat32(4, true), d.getFloat32(8, true)], ok: true };
  }

  /** settings_write_coord_data (FORCE_BUFFER_SYNC_DURING_EEPROM_WRITE: the buffer is synced first). */
  *writeCoordData(index: number, data: Vec3): Busy<void> {
    yield* this.g.protocol.bufferSynchronize();
    yield* this.eeprom.write(coordAddr(index), encodeCoord(data));
  }

  /** settings_read_startup_line into the main loop's line buffer; a bad checksum empties and rewrites it. */
  *readStartupLine(n: number): Busy<{ text: string; ok: boolean }> {
    const addr = EEPROM_ADDR.startupBlock + n * (LINE_SIZE + 1);
    const r = yield* this.eeprom.read(addr, LINE_SIZE);
    const buffer = this.g.protocol.lineBuffer;
    buffer.set(r.bytes);
    if (!r.ok) {
      buffer[0] = 0;
      yield* this.storeStartupLine(n);
      return { text: "", ok: false };
    }
    return { text: cString(buffer), ok: true };
  }

  /** settings_store_startup_line: the whole line buffer (what follows its end included) goes to EEPROM. */
  *storeStartupLine(n: number): Busy<void> {
    yield* this.g.protocol.bufferSynchronize();
    yield* this.eeprom.write(EEPROM_ADDR.startupBlock + n * (LINE_SIZE + 1), this.g.protocol.lineBuffer.slice());
  }

  /** settings_read_build_info into the line buffer. */
  *readBuildInfo(): Busy<string> {
    const r = yield* this.eeprom.read(EEPROM_ADDR.buildInfo, LINE_SIZE);
    const buffer = this.g.protocol.lineBuffer;
    buffer.set(r.bytes);
    if (!r.ok) {
      buffer[0] = 0;
      yield* this.eeprom.write(EEPROM_ADDR.buildInfo, buffer.slice());
      return "";
    }
    return cString(buffer);
  }

  /** settings_store_build_info */
  *storeBuildInfo(): Busy<void> {
    yield* this.eeprom.write(EEPROM_ADDR.buildInfo, this.g.protocol.lineBuffer.slice());
  }
}

function coordAddr(index: number): number {
  return EEPROM_ADDR.parameters + index * (COORD_SIZE + 1);
}

function encodeCoord(v: Vec3): Uint8Array {
  const d = new DataView(new ArrayBuffer(COORD_SIZE));
  for (let i = 0; i < 3; i++) d.setFloat32(i * 4, v[i]!, true);
  return new Uint8Array(d.buffer);
}

/** The text of a NUL-terminated byte buffer. */
export function cString(buffer: Uint8Array): string {
  const end = buffer.indexOf(0);
  return Buffer.from(buffer.subarray(0, end < 0 ? buffer.length : end)).toString("latin1");
}
