/**
 * Turns the bytes GRBL's protocol loop takes out of its RX buffer into lines, as protocol.c
 * does: whitespace and control characters are dropped, comments in () and after ; are
 * dropped, lower case becomes upper case, a line longer than LINE_BUFFER_SIZE−1 significant
 * characters is marked as overflowed (answered error:11). Both \n and \r end a line.
 */
import { LINE_BUFFER_SIZE } from "../protocol.ts";

export interface AssembledLine {
  readonly text: string;
  readonly overflow: boolean;
}

export class LineAssembler {
  private chars: string[] = [];
  private inParen = false;
  private inSemicolon = false;
  private overflow = false;

  /** Feed one byte; returns the finished line when the byte ends one. */
  push(byte: number): AssembledLine | undefined {
    if (byte === 0x0a || byte === 0x0d) {
      const line = { text: this.chars.join(""), overflow: this.overflow };
      this.reset();
      return line;
    }
    const c = String.fromCharCode(byte);
    if (this.inParen || this.inSemicolon || this.overflow) {
      if (c === ")" && this.inParen) this.inParen = false;
      return undefined;
    }
    if (byte <= 0x20 || c === "/") return undefined; // whitespace, control; block delete is not supported and ignored
    if (c === "(") this.inParen = true;
    else if (c === ";") this.inSemicolon = true;
    else if (this.chars.length >= LINE_BUFFER_SIZE - 1) this.overflow = true;
    else this.chars.push(c >= "a" && c <= "z" ? c.toUpperCase() : c);
    return undefined;
  }

  reset(): void {
    this.chars = [];
    this.inParen = false;
    this.inSemicolon = false;
    this.overflow = false;
  }
}
