/**
 * A barcode scanner is a keyboard that types fast: the characters of the code a few
 * milliseconds apart, then Enter. It cannot clear the field first, so whatever the field
 * held — a serial the station refused, a truncated read, the caret anywhere — the scan would
 * be appended to it, and the appended text struck. Here a burst of characters typed faster
 * than a person types (each within `gapMs` of the last), ended by Enter, *replaces* the
 * field's text: what the scanner read is what the field holds. Typing by hand is left alone.
 *
 * Pure over the keys' times, so it is tested without a browser (scanner.test.ts); the page
 * attaches it to the serial field.
 */

/** At least this many characters make a scan (a person can type two in a quick roll). */
export const MIN_SCAN = 4;
/** Default most time between two characters of a scan, ms (HID scanners send one every 1–20 ms). */
export const DEFAULT_GAP_MS = 50;

/**
 * A burst recogniser: feed it every key (`key`, its time in ms), it answers, on Enter,
 * `{ scan: "…" }` when the keys since the last pause were a scan, else `{ scan: undefined }`.
 */
export function burstReader(gapMs = DEFAULT_GAP_MS, minLength = MIN_SCAN) {
  let chars = "";
  let last = -Infinity;
  let fast = true;
  return {
    key(key, at) {
      if (key === "Enter") {
        const scan = chars.length >= minLength && fast && at - last <= gapMs ? chars : undefined;
        chars = "";
        last = -Infinity;
        fast = true;
        return { scan };
      }
      if (key.length !== 1) {
        // An edit by hand (Backspace, an arrow, Delete): what follows is not one scan.
        chars = "";
        last = -Infinity;
        fast = true;
        return { scan: undefined };
      }
      if (at - last > gapMs) {
        // A pause: a new run starts here.
        chars = "";
        fast = true;
      }
      chars += key;
      last = at;
      return { scan: undefined };
    },
    /** Start a run with a character typed somewhere else (the page redirects it here). */
    start(key, at) {
      chars = key;
      last = at;
      fast = true;
    },
    get pending() {
      return chars;
    },
  };
}

/**
 * Attach to `input`: a scan ended by Enter replaces the field's text (through `transform`,
 * e.g. capitals) before the form sees the Enter. Returns the reader (the page starts a run
 * with a character that arrived while the focus was elsewhere).
 */
export function attachScanner(input, { gapMs = () => DEFAULT_GAP_MS, transform = (s) => s } = {}) {
  let reader = burstReader(gapMs());
  let gap = gapMs();
  input.addEventListener(
    "keydown",
    (e) => {
      if (e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
      if (gap !== gapMs()) {
        gap = gapMs();
        reader = burstReader(gap);
      }
      const { scan } = reader.key(e.key, e.timeStamp);
      if (scan !== undefined) {
        const text = transform(scan);
        if (input.value !== text) {
          input.value = text;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
        input.setSelectionRange?.(text.length, text.length);
      }
    },
    // Before the form's own Enter handler (which previews or moves on).
    { capture: true },
  );
  return {
    start(key, at) {
      reader.start(key, at);
    },
  };
}
