// The per-model API of the engine: the one write path (validate → write + append event in one
// statement, one transaction) and reads compiled to one statement each.
import { permissionName, type FieldIR, type ModelIR, type SchemaIR } from "@tessera/schema";
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
import type { EventRecord } from "./events/EventRecord.ts";
import { replayRecord } from "./events/replayRecord.ts";
import { Authorizer } from "./authorization/Authorizer.ts";
import { compileHistory } from "./compiler/compileHistory.ts";
import type { AccessAction } from "@tessera/schema";
import { UUID_PATTERN } from "@tessera/schema";

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
  /** Includes and relation filters read other models: a change to any of them invalidates a cached read. */
  private readonly allModels: readonly string[];
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
    this.allModels = core.schema.models.map((m) => m.name);
  }

  // ---------- writes ----------

  async create(data: unknown, ctx: RequestContext): Promise<RecordData> {
    const auth = this.authorize(ctx, "create");
    this.requireTenant(ctx);
    const { values, errors } = validateInput(this.schema, this.model, data, "create");
    if (errors.length > 0) throw validationFailed(errors);
    this.requireWritable(auth, values.keys());
    const row = await this.runWrite(compileCreate(this.schema, this.model, values, ctx), ctx);
    this.expectAllowed(row, "create");
    return auth.redact(this.model, row.record!);
  }

  /**
   * Creates many rows through the same write path (validation, tenant-checked references, one event
   * per row), batched into one statement per `batchSize` rows, all in one transaction: any invalid
   * row rejects the whole call and nothing is written.
   */
  async createMany(rows: readonly unknown[], ctx: RequestContext, options: { batchSize?: number } = {}): Promise<ManyResult> {
    const auth = this.authorize(ctx, "create");
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
    rows.forEach((data, i) => {
      const written = this.model.fields.filter((f) => typeof data === "object" && data !== null && Object.hasOwn(data, f.name));
      this.requireWritable(auth, written, ["data", i]);
    });
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
          if (row.allowed === false) throw this.outsideRules("create");
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
    const auth = this.authorize(ctx, "update");
    this.requireTenant(ctx);
    const key = this.uniqueKey(where, auth);
    const { values, errors } = validateInput(this.schema, this.model, data, "update");
    if (errors.length > 0) throw validationFailed(errors);
    this.requireWritable(auth, values.keys());
    const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "update", values }, ctx, options), ctx);
    return auth.redact(this.model, this.expectChanged(row, key, options, "update").record!);
  }

  /** Updates the unique row if it exists, creates it otherwise. */
  async upsert(where: Where, input: { create: unknown; update: unknown }, ctx: RequestContext): Promise<RecordData> {
    const auth = this.authorize(ctx, "update");
    this.authorize(ctx, "create");
    this.requireTenant(ctx);
    const key = this.uniqueKey(where, auth);
    const created = validateInput(this.schema, this.model, input.create, "create", ["upsert", "create"]);
    const updated = validateInput(this.schema, this.model, input.update, "update", ["upsert", "update"]);
    const errors = [...created.errors, ...updated.errors];
    if (errors.length > 0) throw validationFailed(errors);
    this.requireWritable(auth, created.values.keys(), ["upsert", "create"]);
    this.requireWritable(auth, updated.values.keys(), ["upsert", "update"]);
    // Two concurrent upserts of a missing row race to insert; the loser retries and updates.
    for (let attempt = 0; ; attempt++) {
      try {
        const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "update", values: updated.values }, ctx), ctx);
        if (row.found) return auth.redact(this.model, this.expectChanged(row, key, {}, "update").record!);
        const createValues = new Map(created.values);
        if (!createValues.has(key.field) && !key.field.system) createValues.set(key.field, key.value);
        const inserted = await this.runWrite(compileCreate(this.schema, this.model, createValues, ctx), ctx);
        this.expectAllowed(inserted, "create");
        return auth.redact(this.model, inserted.record!);
      } catch (error) {
        const isRace = error instanceof EngineError && error.fieldErrors.some((e) => e.rule === "unique" && e.path.at(-1) === key.field.name);
        if (!isRace || attempt > 0) throw error;
      }
    }
  }

  /** Soft delete (or a hard delete when the schema disables soft deletes). */
  async delete(where: Where, ctx: RequestContext): Promise<RecordData> {
    if (!this.schema.config.softDeletes) return this.destroy(where, ctx);
    const auth = this.authorize(ctx, "delete");
    this.requireTenant(ctx);
    const key = this.uniqueKey(where, auth);
    const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "softDelete" }, ctx), ctx);
    return auth.redact(this.model, this.expectChanged(row, key, {}, "delete").record!);
  }

  /** Undoes a soft delete; needs the delete permission (the trash belongs to those who may delete). */
  async restore(where: Where, ctx: RequestContext): Promise<RecordData> {
    const auth = this.authorize(ctx, "delete");
    this.requireTenant(ctx);
    const key = this.uniqueKey(where, auth);
    const row = await this.runWrite(compileRowChange(this.schema, this.model, key, { kind: "restore" }, ctx), ctx);
    return auth.redact(this.model, this.expectChanged(row, key, {}, "delete").record!);
  }

  /** Hard delete; returns the record as it was. */
  async destroy(where: Where, ctx: RequestContext): Promise<RecordData> {
    const auth = this.authorize(ctx, "delete");
    this.requireTenant(ctx);
    const key = this.uniqueKey(where, auth);
    const row = await this.runWrite(compileDestroy(this.schema, this.model, key, ctx), ctx);
    this.expectAccess(row, key, "delete");
    return auth.redact(this.model, row.prev!);
  }

  /** Updates the matching rows the principal may change (others are left alone, not counted). */
  async updateMany(where: Where, data: unknown, ctx: RequestContext): Promise<ManyResult> {
    const auth = this.authorize(ctx, "update");
    this.requireTenant(ctx);
    const { values, errors } = validateInput(this.schema, this.model, data, "update");
    if (errors.length > 0) throw validationFailed(errors);
    this.requireWritable(auth, values.keys());
    const compiled = compileUpdateMany(this.schema, this.model, where, values, ctx);
    const rows = await this.runMany(compiled, ctx);
    return { count: rows };
  }

  /** Soft-deletes every matching row (hard-deletes when soft deletes are off). */
  async deleteMany(where: Where, ctx: RequestContext): Promise<ManyResult> {
    this.authorize(ctx, "delete");
    this.requireTenant(ctx);
    const compiled = compileDeleteMany(this.schema, this.model, where, ctx, this.schema.config.softDeletes);
    return { count: await this.runMany(compiled, ctx) };
  }

  // ---------- reads ----------

  async findUnique(where: Where, ctx: RequestContext, selection: Selection & { deleted?: FindManyArgs["deleted"] } = {}): Promise<RecordData | null> {
    this.authorize(ctx, "read");
    this.requireTenant(ctx);
    const { deleted, ...fieldsAndIncludes } = selection;
    const compiled = compileFindUnique(this.schema, this.model, where, fieldsAndIncludes, ctx, deleted ? { deleted } : undefined);
    return this.cachedRead(ctx, "findUnique", { where, selection }, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  async findMany(args: FindManyArgs, ctx: RequestContext): Promise<Page> {
    this.authorize(ctx, "read");
    this.requireTenant(ctx);
    const compiled = compileFindMany(this.schema, this.model, args, ctx, {
      defaultPageSize: this.schema.config.defaultPageSize,
      maxPageSize: this.schema.config.maxPageSize,
    });
    return this.cachedRead(ctx, "findMany", args, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  async aggregate(args: AggregateArgs, ctx: RequestContext): Promise<AggregateResult> {
    this.authorize(ctx, "read");
    this.requireTenant(ctx);
    const compiled = compileAggregate(this.schema, this.model, args, ctx);
    return this.cachedRead(ctx, "aggregate", args, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  async groupBy(args: GroupByArgs, ctx: RequestContext): Promise<GroupRow[]> {
    this.authorize(ctx, "read");
    this.requireTenant(ctx);
    const compiled = compileGroupBy(this.schema, this.model, args, ctx);
    return this.cachedRead(ctx, "groupBy", args, async () => compiled.decode((await this.read(compiled, ctx)).rows));
  }

  // ---------- event log ----------

  /**
   * Every event of one record, oldest first: the entity history and the audit trail. Needs read
   * access to the record (a row outside the read rules has no visible history); fields the principal
   * may not read are left out of `data` and `changes`.
   */
  async history(id: string, ctx: RequestContext): Promise<EventRecord[]> {
    const auth = this.authorize(ctx, "read");
    const compiled = compileHistory(this.schema, this.model, id, ctx);
    const rows = compiled.decode((await this.read(compiled, ctx)).rows);
    return rows.map((event) => ({
      ...event,
      data: auth.redact(this.model, event.data),
      changes: auth.redact(this.model, event.changes),
    }));
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
      role: ctx.principal?.kind === "system" ? false : undefined,
    };
  }

  private uniqueKey(where: Where, auth: Authorizer): UniqueKey {
    const entries = Object.entries(where ?? {}).filter(([, v]) => v !== undefined);
    const fail = (message: string, path: (string | number)[] = ["where"]): never => {
      throw validationFailed([{ path, message, rule: "unique_where" }]);
    };
    if (entries.length !== 1) fail(`identify exactly one ${this.model.name} by ${this.model.primaryKey} or a unique field`);
    const [name, value] = entries[0];
    const field = this.model.fields.find((f) => f.name === name);
    const isUnique = field && (field.name === this.model.primaryKey || field.rules.some((r) => r.kind === "unique"));
    if (!field || !isUnique) fail(`'${name}' is not the primary key or a unique field of ${this.model.name}`, ["where", name]);
    if (!auth.canReadField(this.model, field!)) throw new EngineError("FORBIDDEN", `${this.model.name}.${name} is not readable for this principal`);
    const { values, errors } = validateInput(this.schema, this.model, { [name]: value }, "update", ["where"]);
    const pkError = field!.system ? checkId(value) : undefined;
    if (pkError) fail(pkError, ["where", name]);
    if (!field!.system && errors.length > 0) throw validationFailed(errors);
    return { field: field!, value: field!.system ? String(value).toLowerCase() : values.get(field!) };
  }

  private expectChanged(row: WriteRow, key: UniqueKey, options: UpdateOptions, action: AccessAction): WriteRow {
    this.expectAccess(row, key, action);
    if (!row.record) {
      throw new EngineError(
        "CONFLICT",
        `${this.model.name} ${String(key.value)} is at version ${row.current_version}, not ${options.expectedVersion}: reload it and apply the change again`,
      );
    }
    return row;
  }

  /** A row the principal cannot read does not exist for it; one it can read but not change is FORBIDDEN. */
  private expectAccess(row: WriteRow, key: UniqueKey, action: AccessAction): void {
    if (!row.found || row.readable === false) throw notFound(this.model.name, key.value);
    if (row.writable === false) {
      throw new EngineError("FORBIDDEN", `${permissionName(this.schema, this.model, action)} is not allowed on ${this.model.name} ${String(key.value)} (row rules or policy)`);
    }
    this.expectAllowed(row, action);
  }

  private expectAllowed(row: WriteRow, action: AccessAction): void {
    if (row.allowed === false) throw this.outsideRules(action);
  }

  private outsideRules(action: AccessAction): EngineError {
    return new EngineError("FORBIDDEN", `${permissionName(this.schema, this.model, action)}: the written ${this.model.name} would be outside the rows this principal may change`);
  }

  /** Checks the role matrix and policies of the action (before any validation or SQL). */
  private authorize(ctx: RequestContext, action: AccessAction): Authorizer {
    const auth = new Authorizer(this.schema, ctx);
    auth.require(this.model, action);
    return auth;
  }

  /** FORBIDDEN naming the field path when a field without write access is written. */
  private requireWritable(auth: Authorizer, fields: Iterable<FieldIR>, prefix: (string | number)[] = ["data"]): void {
    const denied = [...fields].filter((f) => !auth.canWriteField(this.model, f));
    if (denied.length === 0) return;
    const errors = denied.map((f) => ({ path: [...prefix, f.name], message: `${this.model.name}.${f.name} is not writable for this principal`, rule: "field_access" }));
    throw new EngineError("FORBIDDEN", errors.map((e) => `${e.path.join(".")}: ${e.message}`).join("; "), errors);
  }

  private async runWrite(compiled: CompiledWrite, ctx: RequestContext): Promise<WriteRow> {
    let row: WriteRow;
    try {
      row = await this.db.transaction(async (tx) => (await tx.query<WriteRow>(compiled.sql, compiled.params)).rows[0], this.txContext(ctx));
    } catch (error) {
      throw mapDatabaseError(error, this.schema, this.model);
    }
    const failed = compiled.guards.filter((_, i) => row[`g${i}`] === false);
    if (failed.length > 0 && row.found !== false && row.readable !== false) throw validationFailed(failed.map((g) => ({ path: g.path, message: g.message, rule: g.rule })));
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
    if (row.allowed === false) throw this.outsideRules("update");
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
    return cache.getOrCompute(cache.key(ctx, [this.model.name], `${this.model.name}.${operation}`, args), ctx.tenantId, this.allModels, compute);
  }
}

function checkId(value: unknown): string | undefined {
  return typeof value === "string" && UUID_PATTERN.test(value) ? undefined : "must be a UUID";
}

export type { FieldIR };
