/**
 * Errors a person reads: a stable code, a sentence that says what is wrong and what to do,
 * and the field, file or line it is about. Every stage throws these and nothing else for
 * bad input; anything else escaping a stage is a bug.
 */
export type ErrorCode =
  | "E_JSON" // a file is not valid JSON
  | "E_SCHEMA" // a profile, station or record does not match its schema
  | "E_FILE" // a file cannot be read
  | "E_TEMPLATE_FIELD" // a template names a field that does not exist
  | "E_RECORD_FIELD_MISSING" // a template needs a record field the record does not have
  | "E_STATION_FIELD_MISSING" // a template needs a value of the station file it lacks for this mark ({shift}: no shifts, a time in no shift, a shift without a code; details.reason)
  | "E_FONT_UNKNOWN" // a profile names a font the station does not have
  | "E_FONT_INVALID" // a font file cannot be parsed
  | "E_GLYPH_MISSING" // a font has no glyph for a character
  | "E_SERIAL_RULE" // the serial number breaks the profile's rules regime
  | "E_MARK_RULE" // the record or profile breaks another marking rule (height, required field)
  | "E_OUT_OF_BOUNDS" // a strike or stroke lies outside the work area
  | "E_FORCE_RANGE" // a block asks for a force the head cannot give
  | "E_LOGO" // a logo block's SVG cannot be read, is filled, or has elements the head cannot strike (details.reason: svg, fill, unsupported)
  | "E_DATAMATRIX" // a Data Matrix block cannot be encoded or breaks AS9132 / MIL-STD-130
  | "E_LAYOUT" // a block would strike over itself (arc text longer than its arc, lines or glyphs that collide)
  | "E_OVERLAP" // blocks (or a quiet zone) overlap
  | "E_SERIAL_DUPLICATE" // the serial was already marked (completed) for this maker or licence
  | "E_SERIAL_RESERVED" // an unfinished job (pending, marking, interrupted) holds the serial
  | "E_SERIES_EXHAUSTED" // a serial-number series has no number left
  | "E_JOURNAL" // the journal refuses an operation (unknown job, wrong state, bad series)
  | "E_REGISTRY_UNREACHABLE" // the PostgreSQL registry cannot be reached: nothing written, no serial can be checked
  | "E_USAGE" // the command line is wrong
  | "E_QUERY" // a query parameter of a trace request is wrong (`where` names it)
  | "E_BUSY" // the head is marking a job already: one head, one job at a time
  | "E_OVERLOADED" // the station has more requests of this kind than it takes at once (previews): try again shortly
  | "E_CONTROLLER" // the head's controller refuses, is unreachable or does not fit the station (details.code: the bridge's code)
  | "E_AUTH" // no or wrong token for the service
  | "E_FORBIDDEN" // the token's role may not do this
  | "E_NOT_FOUND" // no such profile, job or route
  | "E_BODY_TOO_LARGE" // a request body over the service's limit
  | "E_METHOD" // the route exists, not with this HTTP method
  | "E_MEDIA_TYPE" // a state-changing request whose body is not application/json
  | "E_REQUEST" // an HTTP request the service cannot read (a malformed URL, header or line)
  | "E_PREVIEW_STALE" // what would be struck is no longer what was previewed (a series' next number, a date or shift code changed)
  | "E_LISTEN"; // the station cannot listen on its address (the port is in use, or not allowed)

export class PeenmarkError extends Error {
  readonly code: ErrorCode;
  /** What the error is about: a JSON path, a field name, a block id, a file. */
  readonly where: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { where?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PeenmarkError";
    this.code = code;
    this.where = options.where;
    this.details = options.details ?? {};
  }

  /** `E_CODE: sentence` — the form the CLI prints and the service returns. */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }

  toJSON(): { code: ErrorCode; message: string; where?: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, ...(this.where === undefined ? {} : { where: this.where }), details: this.details };
  }
}

export function isPeenmarkError(e: unknown): e is PeenmarkError {
  return e instanceof PeenmarkError;
}
