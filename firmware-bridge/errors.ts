/**
 * The bridge's own error for a person to read (firmware-bridge/ does not import src/, so it
 * cannot throw PeenmarkError). Same shape: a stable code, a sentence saying what to do, and
 * what it is about. The service maps these onto its own errors at the boundary.
 */
export type BridgeErrorCode =
  | "E_LINK_OPEN" // the serial port cannot be opened
  | "E_LINK_DISCONNECTED" // the port vanished (cable pulled, controller powered off)
  | "E_LINK_CLOSED" // a write or command on a port that is not open
  | "E_CONTROLLER_SILENT" // no welcome line or no reply in time
  | "E_CONTROLLER_REJECTED" // the controller answered error:N to a command
  | "E_CONTROLLER_ALARM" // the controller is in alarm (or raised one during a command)
  | "E_CONTROLLER_RESET" // the controller reset during a command
  | "E_CONTROLLER_BUSY" // a command while a job runs, or a second job
  | "E_SETTINGS_MISMATCH"; // the controller's $ settings do not fit the station

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly where: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: BridgeErrorCode, message: string, options: { where?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BridgeError";
    this.code = code;
    this.where = options.where;
    this.details = options.details ?? {};
  }

  override toString(): string {
    return `${this.code}: ${this.message}`;
  }

  toJSON(): { code: BridgeErrorCode; message: string; where?: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, ...(this.where === undefined ? {} : { where: this.where }), details: this.details };
  }
}

export function isBridgeError(e: unknown): e is BridgeError {
  return e instanceof BridgeError;
}
