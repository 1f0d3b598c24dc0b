// Cuts CSV text that arrives in arbitrary chunks at record boundaries: line breaks outside quoted
// fields (RFC 4180, quotes escaped by doubling). papaparse then parses whole records synchronously,
// and a record, or a multi-byte character, is never split between two parses.

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

type State = "fieldStart" | "unquoted" | "quoted" | "quoteInQuoted";

export class CsvSplitter {
  private carry = "";
  /** How much of `carry` has been scanned, and the state after it (the scan never repeats). */
  private scanned = 0;
  private state: State = "fieldStart";
  private lineHasContent = false;
  /** Records seen so far (boundaries passed), blank lines excluded. */
  records = 0;

  constructor(private readonly delimiter: string) {}

  /** The complete records of the text so far, without their final line break; null when none is complete. */
  push(chunk: string): string | null {
    const text = this.carry + chunk;
    const boundary = this.scan(text, this.scanned);
    if (boundary < 0) {
      this.carry = text;
      this.scanned = text.length;
      return null;
    }
    this.carry = text.slice(boundary + 1);
    this.scanned = text.length - boundary - 1;
    return text.slice(0, boundary > 0 && text.charCodeAt(boundary - 1) === CR ? boundary - 1 : boundary);
  }

  /** The rest at the end of the input (a last record without a line break), or null. */
  end(): string | null {
    const rest = this.carry.endsWith("\r") ? this.carry.slice(0, -1) : this.carry;
    if (this.lineHasContent) this.records++;
    this.carry = "";
    return rest.length > 0 ? rest : null;
  }

  /** Whether the input ended inside a quoted field (the rest of the file became one value). */
  get unterminatedQuote(): boolean {
    return this.state === "quoted";
  }

  /** Scans from `from`, updating the state; returns the index of the last boundary, or -1. */
  private scan(text: string, from: number): number {
    const delimiter = this.delimiter.charCodeAt(0);
    let state = this.state;
    let content = this.lineHasContent;
    let last = -1;
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (state) {
        case "fieldStart":
        case "unquoted":
          if (c === LF) {
            if (content) this.records++;
            content = false;
            state = "fieldStart";
            last = i;
          } else if (c === delimiter) state = "fieldStart";
          else if (c === QUOTE && state === "fieldStart") {
            state = "quoted";
            content = true;
          } else if (c !== CR && c !== 32 && c !== 9) {
            state = "unquoted";
            content = true;
          }
          break;
        case "quoted":
          if (c === QUOTE) state = "quoteInQuoted";
          break;
        case "quoteInQuoted":
          if (c === QUOTE) state = "quoted";
          else if (c === LF) {
            this.records++;
            content = false;
            state = "fieldStart";
            last = i;
          } else if (c === delimiter) state = "fieldStart";
          else if (c !== CR) state = "unquoted";
          break;
      }
    }
    this.state = state;
    this.lineHasContent = content;
    return last;
  }
}

const CANDIDATES = [",", ";", "\t", "|"];

/** The delimiter of a header line: the candidate found most often outside quotes (comma on a tie). */
export function detectDelimiter(headerLine: string): string {
  let best = ",";
  let bestCount = 0;
  for (const candidate of CANDIDATES) {
    let count = 0;
    let quoted = false;
    for (const char of headerLine) {
      if (char === '"') quoted = !quoted;
      else if (!quoted && char === candidate) count++;
    }
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}
