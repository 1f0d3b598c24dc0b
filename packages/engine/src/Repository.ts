// The per-model API of the engine: the one write path (validate → write + append event in one
// statement, one transaction) and reads compiled to one statement each.
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import type { Database, Queryable, TxContext } from "@tessera/db";
import { randomUUID } from "node:crypto";
import { EngineError, notFound, validationFailed, type FieldError } from "./EngineError.ts";
import type { AggregateArgs, AggregateResult, FindManyArgs, GroupByArgs, GroupRow, Page, RecordData, RequestContext, Selection, Where } from "./queryTypes.ts";
import { validateInput } from "./validate/validateInput.ts";
import { compileCreate, compileDestroy, compileRowChange, type CompiledWrite, type UniqueKey, type UpdateOptions, type WriteRow } from "./compiler/compileWrite.ts";
import { compileCreateMany } from "./compiler/compileCreateMany.ts";
import { compileUpdateMany, compileDeleteMany } from "./compiler/compileWriteMany.ts";
import { compileAggregate, compileFindMany, compileFindUnique, compileGroupBy } from "./compiler/index.ts";
import { mapDatabaseError } from "./mapDatabaseError.ts";
import type { EngineCore } from "./EngineCore.ts";
import { EVENT_COLUMNS, toEventRecord, type EventRecord } from "./events/EventRecord.ts";
import { replayRecord } from "./events/replayRecord.ts";
import { quoteIdent, SYSTEM_TABLES } from "@tessera/db";

export interface WriteResult {
  record: RecordData | null;
  previous: RecordData | null;
  event: { seq: number } | null;
}

export interface ManyResult {
  count: number;
}

export class Repository {
  readonly model: ModelIR;
  private readonly schema: SchemaIR;
  private readonly db: Database;

  constructor(
    private readonly core: EngineCore,
    modelName: string,
  ) {
    this.schema = core.schema;
    this.db = core.db;
    const model = core.schema.models.find((m) => m.name === modelName);
    if (!model) throw new EngineError("NOT_FOUND", `unknown model '${modelName}'`);
    this.model = model;
  }

  // ---------- writes ----------

  async create(data: unknown, ctx: RequestContext): Promise<RecordData> {
    this.requireTenant(ctx);
    const { values, errors } = validateInput(this.schema, this.model, data, "create");
    if (errors.length > 0) throw validationFailed(errors);
    const row = await this.runWrite(compileCreate(this.schema, this.model, values, ctx), ctx);
    return row.record!;
  }

  /**
   * Creates many rows through the same write path (validation, tenant-checked references, one event
   * per row), batched into one statement per `batchSize` rows, all in one transaction: any invalid
   * row rejects the whole call and nothing is written.
   */
  async createMany(rows: readonly unknown[], ctx: RequestContext, options: { batchSize?: number } = {}): Promise<ManyResult> {
    this.requireTenant(ctx);
    const errors: FieldError[] = [];
    const prepared: Record<string, unknown>[] = [];
    const used = new Set<FieldIR>();
    rows.forEach((data, i) => {
      const result = validateInput(this.schema, this.model, data, "create", ["data", i]);
      errors.push(...result.errors);
      const row: Record<string, unknown> = {};
      for (const field of this.model.fields) {
        if (result.values.has(field)) row[field.name] = result.values.get(field);
        else if (field.name === this.model.primaryKey) row[field.name] = randomUUID();
        else if (field.default !== undefined && !field.system) row[field.name] = field.default;
        else if (field.type === "array") row[field.name] = [];
        else continue;
        used.add(field);
      }
      prepared.push(row);
    });
    if (errors.length > 0) throw validationFailed(errors);
    const fields = this.model.fields.filter((f) => used.has(f));
    const batchSize = options.batchSize ?? 1000;
    let count = 0;
    try {
      await this.db.transaction(async (tx) => {
        for (let start = 0; start < prepared.length; start += batchSize) {
          const batch = prepared.slice(start, start + batchSize);
          const compiled = compileCreateMany(this.schema, this.model, fields, batch, ctx);
          const row = (await tx.query<Record<string, unknown>>(compiled.sql, compiled.params)).rows[0];
          const missing: FieldError[] = [];
          for (const check of compiled.referenceChecks) {
            const values = new Set((row[check.column] as string[] | null) ?? []);
            if (values.size === 0) continue;
            batch.forEach((r, i) => {
              if (values.has(String(r[check.field.name]))) {
                missing.push({ path: ["data", start + i, check.field.name], message: `${check.field.name} refers to a ${check.target} that does not exist`, rule: "exists" });
              }
            });
          }
          if (missing.length > 0) throw validationFailed(missing);
          count += Number(row.count);
        }
      }, this.txContext(ctx));
    } catch (error) {
      throw mapDatabaseError(error, this.schema, this.model);
    }
    if (count > 0) this.core.afterCommit(ctx.tenantId, this.model.name);
    return { count };
  }

  async update(where: Where, data: unknown, ctx: RequestContext, options: UpdateOptions = {}): Promise<RecordData> {
    this.requireTenant(ctx);
    const key = this.uniqueKey(where);
    const { values, errors } = validateInput(this.schema, this.model, data, "update");
    if (errors.length > 0) throw validationFailed(errors);
    const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "update", values }, ctx, options), ctx);
    return this.expectChanged(row, key, options).record!;
  }

  /** Updates the unique row if it exists, creates it otherwise. */
  async upsert(where: Where, input: { create: unknown; update: unknown }, ctx: RequestContext): Promise<RecordData> {
    this.requireTenant(ctx);
    const key = this.uniqueKey(where);
    const created = validateInput(this.schema, this.model, input.create, "create", ["upsert", "create"]);
    const updated = validateInput(this.schema, this.model, input.update, "update", ["upsert", "update"]);
    const errors = [...created.errors, ...updated.errors];
    if (errors.length > 0) throw validationFailed(errors);
    // Two concurrent upserts of a missing row race to insert; the loser retries and updates.
    for (let attempt = 0; ; attempt++) {
      try {
        const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "update", values: updated.values }, ctx), ctx);
        if (row.found) return this.expectChanged(row, key, {}).record!;
        const createValues = new Map(created.values);
        if (!createValues.has(key.field) && !key.field.system) createValues.set(key.field, key.value);
        return (await this.runWrite(compileCreate(this.schema, this.model, createValues, ctx), ctx)).record!;
      } catch (error) {
        const isRace = error instanceof EngineError && error.fieldErrors.some((e) => e.rule === "unique" && e.path.at(-1) === key.field.name);
        if (!isRace || attempt > 0) throw error;
      }
    }
  }

  /** Soft delete (or a hard delete when the schema disables soft deletes). */
  async delete(where: Where, ctx: RequestContext): Promise<RecordData> {
    if (!this.schema.config.softDeletes) return this.destroy(where, ctx);
    this.requireTenant(ctx);
    const key = this.uniqueKey(where);
    const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "softDelete" }, ctx), ctx);
    return this.expectChanged(row, key, {}).record!;
  }

  async restore(where: Where, ctx: RequestContext): Promise<RecordData> {
    this.requireTenant(ctx);
    const key = this.uniqueKey(where);
    const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "restore" }, ctx), ctx);
    return this.expectChanged(row, key, {}).record!;
  }

  /** Hard delete; returns the record as it was. */
  async destroy(where: Where, ctx: RequestContext): Promise<RecordData> {
    this.requireTenant(ctx);
    const key = this.uniqueKey(where);
    const row = await this.runWrite(compileDestroy(this.model, key, ctx), ctx);
    if (!row.found) throw notFound(this.model.name, key.value);
    return row.prev!;
  }

  async updateMany(where: Where, data: unknown, ctx: RequestContext): Promise<ManyResult> {
    this.requireTenant(ctx);
    const { values, errors } = validateInput(this.schema, this.model, data, "update");
    if (errors.length > 0) throw validationFailed(errors);
    const compiled = compileUpdateMany(this.schema, this.model, where, values, ctx);
    const rows = await this.runMany(compiled, ctx);
    return { count: rows };
  }

  /** Soft-deletes every matching row (hard-deletes when soft deletes are off). */
  async deleteMany(where: Where, ctx: RequestContext): Promise<ManyResult> {
    this.requireTenant(ctx);
    const compiled = compileDeleteMany(this.schema, this.model, where, ctx, this.schema.config.softDeletes);
    return { count: await this.runMany(compiled, ctx) };
  }

  // ---------- reads ----------

  async findUnique(where: Where, ctx: RequestContext, selection: Selection & { deleted?: FindManyArgs["deleted"] } = {}): Promise<RecordData | null> {
    this.requireTenant(ctx);
    const compiled = compileFindUnique(this.schema, this.model, where, selection, ctx);
    return this.cachedRead(ctx, "findUnique", { where, selection }, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  async findMany(args: FindManyArgs, ctx: RequestContext): Promise<Page> {
    this.requireTenant(ctx);
    const compiled = compileFindMany(this.schema, this.model, args, ctx, {
      defaultPageSize: this.schema.config.defaultPageSize,
      maxPageSize: this.schema.config.maxPageSize,
    });
    return this.cachedRead(ctx, "findMany", args, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  async aggregate(args: AggregateArgs, ctx: RequestContext): Promise<AggregateResult> {
    this.requireTenant(ctx);
    const compiled = compileAggregate(this.schema, this.model, args, ctx);
    return this.cachedRead(ctx, "aggregate", args, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  async groupBy(args: GroupByArgs, ctx: RequestContext): Promise<GroupRow[]> {
    this.requireTenant(ctx);
    const compiled = compileGroupBy(this.schema, this.model, args, ctx);
    return this.cachedRead(ctx, "groupBy", args, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  // ---------- event log ----------

  /** Every event of one record, oldest first: the entity history and the audit trail. */
  async history(id: string, ctx: RequestContext): Promise<EventRecord[]> {
    const { rows } = await this.db.transaction(
      (tx) =>
        tx.query<Record<string, unknown>>(
          `SELECT ${EVENT_COLUMNS} FROM ${quoteIdent(SYSTEM_TABLES.events)} e WHERE e.model = $1 AND e.record_id = $2 ${ctx.tenantId ? "AND e.tenant_id = $3::uuid" : ""} ORDER BY e.seq`,
          ctx.tenantId ? [this.model.name, id, ctx.tenantId] : [this.model.name, id],
        ),
      this.txContext(ctx),
    );
    return rows.map(toEventRecord);
  }

  /** The record rebuilt from its events alone (null once destroyed). `untilSeq` gives it as it was then. */
  async replay(id: string, ctx: RequestContext, options: { untilSeq?: number } = {}): Promise<RecordData | null> {
    const events = await this.history(id, ctx);
    return replayRecord(options.untilSeq === undefined ? events : events.filter((e) => e.seq <= options.untilSeq!));
  }

  // ---------- plumbing ----------

  private requireTenant(ctx: RequestContext): void {
    if (this.model.tenantScoped && !ctx.tenantId) {
      throw new EngineError("FORBIDDEN", `${this.model.name} is tenant-scoped: the request needs a tenant`);
    }
  }

  private txContext(ctx: RequestContext): TxContext {
    return {
      tenantId: ctx.tenantId,
      principal: ctx.principal,
      role: ctx.principal?.kind === "system" ? false : undefined,
    };
  }

  private uniqueKey(where: Where): UniqueKey {
    const entries = Object.entries(where ?? {}).filter(([, v]) => v !== undefined);
    const fail = (message: string, path: (string | number)[] = ["where"]): never => {
      throw validationFailed([{ path, message, rule: "unique_where" }]);
    };
    if (entries.length !== 1) fail(`identify exactly one ${this.model.name} by ${this.model.primaryKey} or a unique field`);
    const [name, value] = entries[0];
    const field = this.model.fields.find((f) => f.name === name);
    const isUnique = field && (field.name === this.model.primaryKey || field.rules.some((r) => r.kind === "unique"));
    if (!field || !isUnique) fail(`'${name}' is not the primary key or a unique field of ${this.model.name}`, ["where", name]);
    const { values, errors } = validateInput(this.schema, this.model, { [name]: value }, "update", ["where"]);
    const pkError = field!.system ? checkId(value) : undefined;
    if (pkError) fail(pkError, ["where", name]);
    if (!field!.system && errors.length > 0) throw validationFailed(errors);
    return { field: field!, value: field!.system ? String(value).toLowerCase() : values.get(field!) };
  }

  private expectChanged(row: WriteRow, key: UniqueKey, options: UpdateOptions): WriteRow {
    if (!row.found) throw notFound(this.model.name, key.value);
    if (!row.record) {
      throw new EngineError(
        "CONFLICT",
        `${this.model.name} ${String(key.value)} is at version ${row.current_version}, not ${options.expectedVersion}: reload it and apply the change again`,
      );
    }
    return row;
  }

  private async runWrite(compiled: CompiledWrite, ctx: RequestContext): Promise<WriteRow> {
    let row: WriteRow;
    try {
      row = await this.db.transaction(async (tx) => (await tx.query<WriteRow>(compiled.sql, compiled.params)).rows[0], this.txContext(ctx));
    } catch (error) {
      throw mapDatabaseError(error, this.schema, this.model);
    }
    const failed = compiled.guards.filter((_, i) => row[`g${i}`] === false);
    if (failed.length > 0 && row.found !== false) throw validationFailed(failed.map((g) => ({ path: g.path, message: g.message, rule: g.rule })));
    if (row.seq !== null) this.core.afterCommit(ctx.tenantId, this.model.name);
    return row;
  }

  private async runMany(compiled: { sql: string; params: unknown[]; guards: CompiledWrite["guards"] }, ctx: RequestContext): Promise<number> {
    let row: Record<string, unknown>;
    try {
      row = await this.db.transaction(async (tx) => (await tx.query<Record<string, unknown>>(compiled.sql, compiled.params)).rows[0], this.txContext(ctx));
    } catch (error) {
      throw mapDatabaseError(error, this.schema, this.model);
    }
    const failed = compiled.guards.filter((_, i) => row[`g${i}`] === false);
    if (failed.length > 0) throw validationFailed(failed.map((g) => ({ path: g.path, message: g.message, rule: g.rule })));
    const count = Number(row.count);
    if (count > 0) this.core.afterCommit(ctx.tenantId, this.model.name);
    return count;
  }

  private read(compiled: { sql: string; params: unknown[] }, ctx: RequestContext): Promise<{ rows: Record<string, unknown>[] }> {
    return this.db.transaction((tx: Queryable) => tx.query<Record<string, unknown>>(compiled.sql, compiled.params), this.txContext(ctx)).catch((error: unknown) => {
      throw mapDatabaseError(error, this.schema, this.model);
    });
  }

  private cachedRead<T>(ctx: RequestContext, operation: string, args: unknown, compute: () => Promise<T>): Promise<T> {
    const cache = this.core.cache;
    if (!cache) return compute();
    // Includes read other models: any of their changes must invalidate this entry too.
    const models = this.core.schema.models.map((m) => m.name);
    return cache.getOrCompute(cache.key(ctx, [this.model.name], `${this.model.name}.${operation}`, args), ctx.tenantId, models, compute);
  }
}

function checkId(value: unknown): string | undefined {
  return typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? undefined : "must be a UUID";
}

export type { FieldIR };
