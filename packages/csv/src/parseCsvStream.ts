// Streaming CSV parse: text chunks in, rows out, with the row number a spreadsheet shows (the header
// is row 1). papaparse parses whole records cut by CsvSplitter, so memory stays bounded by the chunk
// size and the consumer's pace (async iteration) is the backpressure.
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
}

export const DELIMITERS: readonly string[] = [",", ";", "\t", "|"];

/** The delimiter and line break of a file, decided by its first line. */
interface CsvFormat {
  delimiter: string;
  newline: "\n" | "\r\n";
}

/**
 * The text cut into runs of whole records (see CsvSplitter), each with the file's format; the
 * splitter is returned at the end for its record count.
 */
async function* recordSlices(source: AsyncIterable<string | Buffer>, delimiter: string | undefined): AsyncGenerator<{ text: string; format: CsvFormat }, CsvSplitter | undefined> {
  let splitter: CsvSplitter | undefined;
  let format: CsvFormat | undefined;
  let pending = "";
  const start = (firstLine: string): CsvSplitter => {
    format = { delimiter: delimiter ?? detectDelimiter(firstLine), newline: firstLine.endsWith("\r\n") ? "\r\n" : "\n" };
    splitter = new CsvSplitter(format.delimiter);
    return splitter;
  };
  for await (const text of decode(source)) {
    if (!splitter) {
      // The format comes from the first line, so wait until it is complete.
      pending = stripBom(pending + text);
      if (!pending.includes("\n")) continue;
      const records = start(pending.slice(0, pending.indexOf("\n") + 1)).push(pending);
      pending = "";
      if (records !== null) yield { text: records, format: format! };
      continue;
    }
    const records = splitter.push(text);
    if (records !== null) yield { text: records, format: format! };
  }
  if (!splitter) {
    if (pending.trim() === "") return undefined;
    start(pending).push(pending);
  }
  const rest = splitter!.end();
  if (rest !== null) yield { text: rest, format: format! };
  return splitter;
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
  for await (const { text, format } of recordSlices(source, options.delimiter)) {
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
  const slices = recordSlices(source, options.delimiter);
  for (;;) {
    const next = await slices.next();
    if (next.done) return next.value ? Math.max(0, next.value.records - 1) : 0;
  }
}

/** Text of the chunks; bytes are decoded as a stream, so a character split between chunks survives. */
async function* decode(source: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of source) yield typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function describeQuoteError(code: string): string {
  return code === "MissingQuotes"
    ? "a quoted value is never closed, so the rest of the file was read as this one value; close the quote (\"…\") or double quotes inside it (\"\")"
    : "a quoted value is followed by more text before the next delimiter; double quotes inside quoted values (\"\")";
}
