// CSV import and export: streaming parse, column mapping, typed coercion, batched writes through the
// engine's write path, import jobs with progress and an error report, and permission-aware export.
export { csvRoutes, type CsvRoutesOptions, type ImportPreview } from "./csvRoutes.ts";
export { parseCsvStream, countCsvRows, detectCsvEncoding, detectCsvDelimiter, type CsvEncoding, type CsvRow, type ParseCsvOptions } from "./parseCsvStream.ts";
export { suggestMapping, normaliseName } from "./suggestMapping.ts";
export { resolveMapping, importTargets, type ImportMapping, type ImportPlan, type ColumnTarget, type LookupTarget } from "./importMapping.ts";
export { coerceRow, type CoercedRow, type CellError } from "./coerceRow.ts";
export { ImportJob, MAX_LISTED_ERRORS, type ImportJobState, type ImportJobStatus, type ImportProgress, type ImportRowError } from "./ImportJob.ts";
export { ImportJobRegistry, type ImportJobRegistryOptions, type SubmitImportInput } from "./ImportJobRegistry.ts";
export { importRows, DEFAULT_BATCH_SIZE, type ImportRowsOptions } from "./importRows.ts";
export { ErrorReportWriter, ROW_COLUMN, ERROR_COLUMN, type RejectedRow } from "./errorReportCsv.ts";
export { exportCsv, exportColumns, formatCell, type ExportCsvOptions } from "./exportCsv.ts";
export { DEFAULT_MAX_UPLOAD_BYTES, PayloadTooLargeError, receiveUpload, UploadAbortedError } from "./receiveUpload.ts";
