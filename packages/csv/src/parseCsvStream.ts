// Streaming CSV parse: text chunks in, rows out, with the row number a spreadsheet shows (the header
// is row 1). papaparse parses whole records cut by CsvSplitter, so memory stays bounded by the chunk
// size and the consumer's pace (async iteration) is the backpressure.
import { TextDecoder } from "node:util";
import Papa from "papaparse";
import { EngineError } from "@tessera/engine";
import { CsvSplitter, detectDelimiter } from "./csvSplitter.ts";

export interface CsvRow {
  /** 1 is the header, 2 the first data row; blank lines count, as in a spreadsheet. */
  row: number;
  cells: string[];
  /** Set when the row's quoting is broken: its cells are what could be read. */
  malformed?: string;
}

export interface ParseCsvOptions {
  /** `,` `;` tab or `|`; detected from the header line when absent. */
  delimiter?: string;
  /**
   * How the bytes are decoded (see detectCsvEncoding). When absent: a byte order mark or the NUL
   * pattern of UTF-16 decides, else UTF-8, and bytes that are not UTF-8 stop the parse with
   * VALIDATION_FAILED (a stream cannot be read twice to fall back; a file can: detect first).
   */
  encoding?: CsvEncoding;
}

/** The encodings a CSV upload is read in: what spreadsheets save ("CSV UTF-8", "Unicode text", plain "CSV" on Windows). */
export type CsvEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

export const DELIMITERS: readonly string[] = [",", ";", "\t", "|"];

/** The delimiter and line break of a file, decided by its first line. */
interface CsvFormat {
  delimiter: string;
  newline: "\n" | "\r\n";
}

/** The first line break of `text`: undefined until it is known (a final CR may be the start of CRLF). */
function firstLineBreak(text: string, atEnd: boolean): "\n" | "\r\n" | "\r" | "none" | undefined {
  const index = text.search(/[\r\n]/);
  if (index < 0) return atEnd ? "none" : undefined;
  if (text[index] === "\n") return "\n";
  if (index + 1 < text.length) return text[index + 1] === "\n" ? "\r\n" : "\r";
  return atEnd ? "\r" : undefined;
}

/**
 * The text cut into runs of whole records (see CsvSplitter), each with the file's format; the
 * splitter is returned at the end for its record count.
 */
async function* recordSlices(source: AsyncIterable<string | Buffer>, delimiter: string | undefined, encoding: CsvEncoding | undefined): AsyncGenerator<{ text: string; format: CsvFormat }, { splitter: CsvSplitter; format: CsvFormat } | undefined> {
  let splitter: CsvSplitter | undefined;
  let format: CsvFormat | undefined;
  let pending = "";
  // Files saved with classic Mac line ends (CR only) would otherwise be one long line: a header and
  // "completed, 0 rows". Every CR then becomes LF, line breaks inside quoted values included.
  let crOnly = false;
  const start = (text: string, atEnd: boolean): CsvSplitter | undefined => {
    const newline = firstLineBreak(text, atEnd);
    if (newline === undefined) return undefined;
    crOnly = newline === "\r";
    const normalised = crOnly ? text.replace(/\r/g, "\n") : text;
    const lineEnd = normalised.indexOf("\n");
    format = { delimiter: delimiter ?? detectDelimiter(lineEnd < 0 ? normalised : normalised.slice(0, lineEnd + 1)), newline: newline === "\r\n" ? "\r\n" : "\n" };
    splitter = new CsvSplitter(format.delimiter);
    return splitter;
  };
  for await (const chunk of decode(source, encoding)) {
    if (!splitter) {
      // The format comes from the first line, so wait until its line break is known.
      pending = stripBom(pending + chunk);
      if (!start(pending, false)) continue;
      const records = splitter!.push(crOnly ? pending.replace(/\r/g, "\n") : pending);
      pending = "";
      if (records !== null) yield { text: records, format: format! };
      continue;
    }
    const records = splitter.push(crOnly ? chunk.replace(/\r/g, "\n") : chunk);
    if (records !== null) yield { text: records, format: format! };
  }
  if (!splitter) {
    if (pending.trim() === "") return undefined;
    start(pending, true);
    const records = splitter!.push(crOnly ? pending.replace(/\r/g, "\n") : pending);
    if (records !== null) yield { text: records, format: format! };
  }
  const rest = splitter!.end();
  if (rest !== null) yield { text: rest, format: format! };
  return { splitter: splitter!, format: format! };
}

/**
 * Rows of the CSV text, header first. Rows whose cells are all blank are skipped (their numbers are
 * kept).
 */
export async function* parseCsvStream(source: AsyncIterable<string | Buffer>, options: ParseCsvOptions = {}): AsyncGenerator<CsvRow> {
  if (options.delimiter !== undefined && !DELIMITERS.includes(options.delimiter)) {
    throw new EngineError("VALIDATION_FAILED", `delimiter must be one of , ; | or a tab, not '${options.delimiter}'`);
  }
  let row = 0;
  for await (const { text, format } of recordSlices(source, options.delimiter, options.encoding)) {
    const result = Papa.parse<string[]>(text, { delimiter: format.delimiter, newline: format.newline, quoteChar: '"', skipEmptyLines: false });
    const broken = new Map<number, string>();
    for (const error of result.errors) {
      if (error.type === "Quotes" && error.row !== undefined) broken.set(error.row, describeQuoteError(error.code));
    }
    for (let i = 0; i < result.data.length; i++) {
      row++;
      const cells = result.data[i];
      const malformed = broken.get(i);
      if (!malformed && cells.every((cell) => cell.trim() === "")) continue;
      yield malformed ? { row, cells, malformed } : { row, cells };
    }
  }
}

/** Counts the data rows (non-blank records after the header) without parsing fields. */
export async function countCsvRows(source: AsyncIterable<string | Buffer>, options: ParseCsvOptions = {}): Promise<number> {
  const slices = recordSlices(source, options.delimiter, options.encoding);
  for (;;) {
    const next = await slices.next();
    if (next.done) return next.value ? Math.max(0, next.value.splitter.records - 1) : 0;
  }
}

/** The delimiter of the file (the given one, else detected from the decoded header line). */
export async function detectCsvDelimiter(source: AsyncIterable<string | Buffer>, options: ParseCsvOptions = {}): Promise<string> {
  const slices = recordSlices(source, options.delimiter, options.encoding);
  try {
    const first = await slices.next();
    return (first.done ? first.value?.format.delimiter : first.value.format.delimiter) ?? options.delimiter ?? ",";
  } finally {
    await slices.return(undefined);
  }
}

/**
 * Text of the chunks; bytes are decoded as a stream, so a character split between chunks survives.
 * Without `encoding`, the first bytes decide between UTF-16 and UTF-8 (strict: see ParseCsvOptions).
 */
async function* decode(source: AsyncIterable<string | Buffer>, encoding: CsvEncoding | undefined): AsyncGenerator<string> {
  let decoder: CsvDecoder | undefined;
  let offset = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of source) {
    if (typeof chunk === "string") {
      yield chunk;
      continue;
    }
    if (!decoder) {
      // Enough bytes to see a byte order mark and the NUL pattern of UTF-16.
      head = Buffer.concat([head, chunk]);
      if (head.length < SNIFF_BYTES) continue;
      decoder = new CsvDecoder(encoding ?? sniffEncoding(head) ?? "utf-8");
      yield decoder.decode(head, offset);
      offset += head.length;
      continue;
    }
    yield decoder.decode(chunk, offset);
    offset += chunk.length;
  }
  if (!decoder && head.length > 0) {
    decoder = new CsvDecoder(encoding ?? sniffEncoding(head) ?? "utf-8");
    yield decoder.decode(head, offset);
    offset += head.length;
  }
  const rest = decoder?.end(offset);
  if (rest) yield rest;
}

const SNIFF_BYTES = 4096;

/** The encoding the first bytes show: a byte order mark, or UTF-16's NUL byte beside most ASCII characters. */
function sniffEncoding(head: Uint8Array): CsvEncoding | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf-8";
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const pairs = Math.floor(Math.min(head.length, SNIFF_BYTES) / 2);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0 && head[2 * i + 1] !== 0) evenNul++;
    if (head[2 * i + 1] === 0 && head[2 * i] !== 0) oddNul++;
  }
  // CSV text is mostly ASCII, which UTF-16 writes with a NUL high byte; UTF-8 and Latin-1 text has no NULs.
  if (pairs > 0 && oddNul > pairs / 2) return "utf-16le";
  if (pairs > 0 && evenNul > pairs / 2) return "utf-16be";
  return undefined;
}

/**
 * The whole file's encoding: a byte order mark or UTF-16's NUL pattern, else UTF-8 when every byte
 * is valid UTF-8 (a strict decoder over the whole file, since a single é saved by a Windows
 * spreadsheet can sit in the last row), else windows-1252 (Latin-1's superset, what Excel writes).
 */
export async function detectCsvEncoding(source: AsyncIterable<string | Buffer>): Promise<CsvEncoding> {
  let head = Buffer.alloc(0);
  let strict: TextDecoder | undefined;
  let bom = false;
  try {
    for await (const chunk of source) {
      if (typeof chunk === "string") return "utf-8";
      if (!strict) {
        head = Buffer.concat([head, chunk]);
        if (head.length < SNIFF_BYTES) continue;
        const sniffed = sniffEncoding(head);
        if (sniffed && sniffed !== "utf-8") return sniffed;
        bom = sniffed === "utf-8";
        strict = new TextDecoder("utf-8", { fatal: true });
        strict.decode(head, { stream: true });
        continue;
      }
      strict.decode(chunk, { stream: true });
    }
    if (!strict) {
      const sniffed = sniffEncoding(head);
      if (sniffed && sniffed !== "utf-8") return sniffed;
      bom = sniffed === "utf-8";
      strict = new TextDecoder("utf-8", { fatal: true });
      strict.decode(head, { stream: true });
    }
    strict.decode();
    return "utf-8";
  } catch (error) {
    // A UTF-8 byte order mark says what the file means to be: its bad bytes are then refused when parsed.
    if (error instanceof TypeError) return bom ? "utf-8" : "windows-1252";
    throw error;
  }
}

// Node's TextDecoder reads windows-1252 as ISO-8859-1 (bytes 0x80–0x9F become C1 controls instead
// of € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ); this is the WHATWG Encoding
// Standard's index-windows-1252 for that range (the five unassigned bytes keep their C1 code point).
const WINDOWS_1252_C1 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** A streaming decoder; UTF-8 is strict, so bytes that are not UTF-8 are a VALIDATION_FAILED naming the place. */
class CsvDecoder {
  private readonly decoder: TextDecoder;
  constructor(private readonly encoding: CsvEncoding) {
    this.decoder = new TextDecoder(encoding, { fatal: encoding === "utf-8" });
  }

  decode(bytes: Uint8Array, offset: number): string {
    return this.fix(this.run(() => this.decoder.decode(bytes, { stream: true }), offset));
  }

  end(offset: number): string {
    return this.fix(this.run(() => this.decoder.decode(), offset));
  }

  private run(decode: () => string, offset: number): string {
    try {
      return decode();
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new EngineError(
        "VALIDATION_FAILED",
        `the CSV is not valid UTF-8 (in the bytes after byte ${offset}); save it as "CSV UTF-8", or read it as windows-1252 (Latin-1)`,
      );
    }
  }

  private fix(text: string): string {
    return this.encoding === "windows-1252" ? text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]) : text;
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function describeQuoteError(code: string): string {
  return code === "MissingQuotes"
    ? "a quoted value is never closed, so the rest of the file was read as this one value; close the quote (\"…\") or double quotes inside it (\"\")"
    : "a quoted value is followed by more text before the next delimiter; double quotes inside quoted values (\"\")";
}
