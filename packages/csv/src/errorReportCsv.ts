// The error report: every rejected row with its original cells, then `_row` (the spreadsheet row
// number) and `_error` (every reason, "; "-separated). Fix the cells, delete the two extra columns
// (or leave them: they map to no field) and import the file again. Written to disk as the import
// runs, so memory does not grow with the number of rejected rows.
import { appendFile, writeFile } from "node:fs/promises";
import Papa from "papaparse";

export const ROW_COLUMN = "_row";
export const ERROR_COLUMN = "_error";

export interface RejectedRow {
  row: number;
  cells: readonly string[];
  messages: readonly string[];
}

export class ErrorReportWriter {
  private width: number;

  private constructor(
    readonly path: string,
    private readonly delimiter: string,
    headers: readonly string[],
  ) {
    this.width = headers.length;
  }

  /** Creates the file with its header line. */
  static async create(path: string, headers: readonly string[], delimiter: string): Promise<ErrorReportWriter> {
    const writer = new ErrorReportWriter(path, delimiter, headers);
    await writeFile(path, writer.lines([[...headers, ROW_COLUMN, ERROR_COLUMN]]), { mode: 0o600 });
    return writer;
  }

  async append(rows: readonly RejectedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const lines = rows.map((r) => {
      // Short rows are padded and long ones cut, so `_row` and `_error` stay in their columns.
      const cells = Array.from({ length: this.width }, (_, i) => r.cells[i] ?? "");
      return [...cells, String(r.row), r.messages.join("; ")];
    });
    await appendFile(this.path, this.lines(lines));
  }

  private lines(rows: string[][]): string {
    return `${Papa.unparse(rows, { delimiter: this.delimiter, newline: "\r\n", quotes: false })}\r\n`;
  }
}
