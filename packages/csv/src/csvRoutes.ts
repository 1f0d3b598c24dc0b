// HTTP API of CSV import and export (a fastify plugin; docs/API.md "CSV import and export").
// Every route authenticates like /graphql and needs a principal and a tenant; the engine enforces
// create/update permission, row rules, field access and tenancy per row.
import { rm } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { Authorizer, EngineError, validationFailed, type Engine, type RequestContext, type Where } from "@tessera/engine";
import type { ModelIR } from "@tessera/schema";
import { exportCsv } from "./exportCsv.ts";
import { sendCsvError } from "./httpErrors.ts";
import { ImportJobRegistry } from "./ImportJobRegistry.ts";
import type { ImportJobStatus, ImportRowError } from "./ImportJob.ts";
import { importTargets, resolveMapping, type ImportMapping, type ImportPlan } from "./importMapping.ts";
import { classifyRows, type ImportClassification, type RowClass } from "./classifyRows.ts";
import { countCsvRows, DELIMITERS, detectCsvDelimiter, detectCsvEncoding, parseCsvStream, type CsvEncoding, type CsvRow } from "./parseCsvStream.ts";
import { DEFAULT_MAX_UPLOAD_BYTES, PayloadTooLargeError, receiveUpload } from "./receiveUpload.ts";
import { suggestMapping } from "./suggestMapping.ts";

export interface CsvRoutesOptions {
  engine: Engine;
  /** The caller's context; throws (401, 403, 429) without valid credentials or a tenant. */
  authenticate: (request: FastifyRequest) => Promise<RequestContext>;
  /** Default: a registry of this plugin, closed with the server. */
  jobs?: ImportJobRegistry;
  /** Largest CSV accepted by the import routes (default 100 MiB); the server's body limit does not apply. */
  maxUploadBytes?: number;
  /**
   * Where the registry this plugin creates keeps uploads and error reports (default the OS temp
   * folder); a registry given in `jobs` has its own.
   */
  workDir?: string;
}

export interface ImportPreview {
  model: string;
  delimiter: string;
  /** How the file's bytes were read (detected). */
  encoding: CsvEncoding;
  headers: string[];
  suggestedMapping: ImportMapping;
  /** The mapping the rows were checked with (the one given, else the suggestion); null when nothing maps. */
  mapping: ImportMapping | null;
  /** The key the rows were matched on (`upsertBy`); null: every row would be created. */
  upsertBy: string | null;
  /** Data rows in the file (blank lines excluded). */
  rowCount: number;
  /** What the import would do with each row of the whole file; null when nothing maps. */
  classification: ImportClassification | null;
  /** The first rows, each with what the import would do with it and why not. */
  sampleRows: { row: number; cells: string[]; values: Record<string, unknown> | null; status: RowClass | null; match: { id: string; name: string } | null; errors: ImportRowError[] }[];
  /** The problems of the first 100 rows in error, anywhere in the file. */
  errors: ImportRowError[];
  errorsTruncated: boolean;
}

const SAMPLE_ROWS = 20;
const MAX_SAMPLE_ROWS = 200;

type Query = Record<string, string | undefined>;

export const csvRoutes: FastifyPluginAsync<CsvRoutesOptions> = async (app, options) => {
  const { engine } = options;
  const maxBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const jobs =
    options.jobs ??
    new ImportJobRegistry({
      onInternalError: (error, job) => app.log.error({ err: error, importJob: job.id }, "CSV import failed"),
      ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
    });
  if (!options.jobs) app.addHook("onClose", async () => jobs.close());
  // At start, not at the first upload: the uploads a crashed previous life of this node left go now.
  await jobs.open();

  // The body stays a stream: it is written to disk as it arrives (routes of this plugin only).
  app.addContentTypeParser(["text/csv", "application/csv"], (_request, payload, done) => done(null, payload));
  app.setErrorHandler(sendCsvError);

  async function context(request: FastifyRequest): Promise<RequestContext> {
    const ctx = await options.authenticate(request);
    if (!ctx.principal) throw new EngineError("UNAUTHENTICATED", "Sign in first: send `Authorization: Bearer <token>`.");
    if (!ctx.tenantId) throw new EngineError("FORBIDDEN", "a tenant is required: send the x-tenant-id header");
    return ctx;
  }

  /** The import's settings from the query string, checked (with the principal's access) before the body is read. */
  async function importSettings(request: FastifyRequest, ctx: RequestContext): Promise<{ model: ModelIR; mapping: unknown; upsertBy: string | null; delimiter: string | undefined }> {
    const query = request.query as Query;
    const model = findModel(engine, query.model);
    const upsertBy = query.upsertBy === undefined || query.upsertBy === "" ? null : query.upsertBy;
    const delimiter = query.delimiter === undefined || query.delimiter === "" ? undefined : query.delimiter === "tab" ? "\t" : query.delimiter;
    if (delimiter !== undefined && !DELIMITERS.includes(delimiter)) {
      throw validationFailed([{ path: ["delimiter"], message: "delimiter must be one of , ; | or tab", rule: "type" }]);
    }
    // No rows: only the role matrix and the upsert key are checked.
    await engine.model(model.name).importBatch([], ctx, upsertBy === null ? {} : { upsertBy });
    return { model, mapping: parseJsonParam(query.mapping, "mapping", '{"CSV column": "field"}'), upsertBy, delimiter };
  }

  /** Receives the body into a fresh folder of the registry; the caller removes the folder (also on error). */
  async function upload(request: FastifyRequest): Promise<{ dir: string; file: string }> {
    const body = request.body;
    if (!(body instanceof Readable)) throw new EngineError("VALIDATION_FAILED", "send the CSV as the request body with content-type: text/csv");
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
    const dir = await jobs.uploadDir();
    const file = join(dir, "upload.csv");
    try {
      await receiveUpload(body, file, maxBytes);
      return { dir, file };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  app.post("/api/import/preview", async (request): Promise<ImportPreview> => {
    const ctx = await context(request);
    const settings = await importSettings(request, ctx);
    const sampleSize = Math.min(MAX_SAMPLE_ROWS, positiveInt((request.query as Query).sample, "sample") ?? SAMPLE_ROWS);
    const { dir, file } = await upload(request);
    try {
      const encoding = await detectCsvEncoding(createReadStream(file));
      const { headers, delimiter } = await readSample(file, settings.delimiter, 0, encoding);
      const auth = new Authorizer(engine.schema, ctx);
      const suggested = writableSuggestion(engine, settings.model, headers, auth);
      let plan: ImportPlan | null;
      if (settings.mapping !== undefined) plan = resolveMapping(engine.schema, settings.model, headers, settings.mapping, auth);
      else plan = Object.values(suggested).some((name) => name !== null) ? resolveMapping(engine.schema, settings.model, headers, suggested, auth) : null;
      const base = { model: settings.model.name, delimiter, encoding, headers, suggestedMapping: suggested, upsertBy: settings.upsertBy };
      if (!plan) {
        const { rows } = await readSample(file, delimiter, sampleSize, encoding);
        return {
          ...base,
          mapping: null,
          rowCount: await countCsvRows(createReadStream(file), { delimiter, encoding }),
          classification: null,
          sampleRows: rows.map((r) => ({ row: r.row, cells: r.cells, values: null, status: null, match: null, errors: [] })),
          errors: [],
          errorsTruncated: false,
        };
      }
      // Every row, not only the sample: the counts are what the import would do to the whole file.
      const classified = await classifyRows({ engine, ctx, plan, upsertBy: settings.upsertBy, rows: dataRows(parseCsvStream(createReadStream(file), { delimiter, encoding })), sampleSize });
      return { ...base, mapping: plan.mapping, ...classified };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.post("/api/import", async (request, reply) => {
    const ctx = await context(request);
    const settings = await importSettings(request, ctx);
    const { dir, file } = await upload(request);
    try {
      const encoding = await detectCsvEncoding(createReadStream(file));
      const { headers, delimiter } = await readSample(file, settings.delimiter, 0, encoding);
      const auth = new Authorizer(engine.schema, ctx);
      const plan = resolveMapping(engine.schema, settings.model, headers, settings.mapping ?? writableSuggestion(engine, settings.model, headers, auth), auth);
      const job = await jobs.submit({ engine, ctx, plan, upsertBy: settings.upsertBy, delimiter, encoding, dir, file });
      return reply.code(202).header("location", `/api/import/${job.id}`).send({ jobId: job.id, status: job.status() });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  });

  app.get("/api/import/:jobId", async (request): Promise<ImportJobStatus> => {
    const ctx = await context(request);
    return jobs.get((request.params as { jobId: string }).jobId, ctx).status();
  });

  app.post("/api/import/:jobId/cancel", async (request): Promise<ImportJobStatus> => {
    const ctx = await context(request);
    return jobs.cancel(jobs.get((request.params as { jobId: string }).jobId, ctx));
  });

  app.get("/api/import/:jobId/errors.csv", async (request, reply) => {
    const ctx = await context(request);
    const job = jobs.get((request.params as { jobId: string }).jobId, ctx);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${job.model}-import-errors.csv"`)
      .send(createReadStream(jobs.reportPath(job)));
  });

  app.get("/api/export/:file", async (request, reply) => {
    const ctx = await context(request);
    const name = (request.params as { file: string }).file;
    if (!name.endsWith(".csv")) throw validationFailed([{ path: ["file"], message: `ask for /api/export/<Model>.csv, not ${name}`, rule: "type" }]);
    const model = findModel(engine, name.slice(0, -".csv".length));
    const query = request.query as Query;
    const chunks = exportCsv(engine, model.name, ctx, {
      ...optional("where", parseWhereParam(query.where)),
      ...optional("orderBy", parseOrderByParam(query.orderBy)),
      ...optional("fields", query.fields === undefined ? undefined : query.fields.split(",").map((f) => f.trim()).filter((f) => f !== "")),
      bom: query.bom === "true" || query.bom === "1",
    });
    const first = await chunks.next();
    async function* body(): AsyncGenerator<string> {
      if (!first.done) yield first.value;
      yield* chunks;
    }
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${model.name}.csv"`)
      .send(Readable.from(body()));
  });
};

/** The suggested mapping without the fields the principal may not write. */
function writableSuggestion(engine: Engine, model: ModelIR, headers: readonly string[], auth: Authorizer): ImportMapping {
  const suggested = suggestMapping(engine.schema, model, headers);
  const targets = importTargets(engine.schema, model);
  for (const [header, name] of Object.entries(suggested)) {
    const target = name === null ? undefined : targets.get(name);
    if (target && !auth.canWriteField(model, target.field)) suggested[header] = null;
  }
  return suggested;
}

function findModel(engine: Engine, name: string | undefined): ModelIR {
  const model = engine.schema.models.find((m) => m.name === name);
  if (!model) {
    const message = `${name === undefined || name === "" ? "name the model (model=Contact)" : `unknown model '${name}'`}; models: ${engine.schema.models.map((m) => m.name).join(", ")}`;
    throw validationFailed([{ path: ["model"], message, rule: "unknown_model" }]);
  }
  return model;
}

function parseJsonParam(text: string | undefined, name: string, example: string): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validationFailed([{ path: [name], message: `${name} must be JSON, e.g. ${example}`, rule: "type" }]);
  }
}

/** `where` as the GraphQL API takes it, as JSON; the engine checks its keys and values. */
function parseWhereParam(text: string | undefined): Where | undefined {
  const where = parseJsonParam(text, "where", '{"lastName_starts_with": "A"}');
  if (where === undefined) return undefined;
  if (where === null || typeof where !== "object" || Array.isArray(where)) throw validationFailed([{ path: ["where"], message: "where must be a JSON object of filters", rule: "type" }]);
  return where as Where;
}

/** `orderBy=lastName_ASC,createdAt_DESC`, or a JSON list. */
function parseOrderByParam(text: string | undefined): string[] | undefined {
  if (text === undefined || text === "") return undefined;
  if (text.trim().startsWith("[")) {
    const parsed = parseJsonParam(text, "orderBy", '["lastName_ASC"]');
    if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string")) throw validationFailed([{ path: ["orderBy"], message: "orderBy must be a list of names such as lastName_ASC", rule: "type" }]);
    return parsed;
  }
  return text.split(",").map((part) => part.trim()).filter((part) => part !== "");
}

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === "") return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw validationFailed([{ path: [name], message: `${name} must be a positive whole number`, rule: "type" }]);
  return Number(text);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The header (VALIDATION_FAILED when there is none or it is unreadable) and the first data rows. */
async function readSample(file: string, delimiter: string | undefined, size: number, encoding: CsvEncoding): Promise<{ headers: string[]; delimiter: string; rows: CsvRow[] }> {
  const rows: CsvRow[] = [];
  let header: CsvRow | undefined;
  const detected = delimiter ?? (await detectCsvDelimiter(createReadStream(file), { encoding }));
  for await (const row of parseCsvStream(createReadStream(file), { delimiter: detected, encoding })) {
    if (!header) {
      header = row;
      if (row.malformed) throw validationFailed([{ path: ["header"], message: `the header row cannot be read: ${row.malformed}`, rule: "malformed_csv" }]);
      if (size === 0) break;
      continue;
    }
    rows.push(row);
    if (rows.length >= size) break;
  }
  if (!header) throw validationFailed([{ path: ["body"], message: "the CSV is empty: send a header row naming the columns, then one row per record", rule: "empty_csv" }]);
  return { headers: header.cells.map((h) => h.trim()), delimiter: detected, rows };
}

/** The rows after the header. */
async function* dataRows(rows: AsyncIterable<CsvRow>): AsyncGenerator<CsvRow> {
  let header = true;
  for await (const row of rows) {
    if (header) header = false;
    else yield row;
  }
}
