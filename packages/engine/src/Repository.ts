// The per-model API of the engine: the one write path (validate → write + append event in one
// statement, one transaction) and reads compiled to one statement each.
import { permissionName, type FieldIR, type ModelIR, type SchemaIR } from "@tessera/schema";
import type { Database, Queryable, TxContext } from "@tessera/db";
import { randomUUID } from "node:crypto";
import { EngineError, validationFailed, type FieldError } from "./EngineError.ts";
import type { AggregateArgs, AggregateResult, FindManyArgs, GroupByArgs, GroupRow, Page, RecordData, RequestContext, Selection, Where } from "./queryTypes.ts";
import { validateInput } from "./validate/validateInput.ts";
import { applyPrincipalDefaults, principalDefault } from "./write/principalDefaults.ts";
import { compileCreate, compileDestroy, compileRowChange, type CompiledWrite, type UniqueKey, type UpdateOptions, type WriteRow } from "./compiler/compileWrite.ts";
import { compileCreateMany } from "./compiler/compileCreateMany.ts";
import { compileImportBatch, type CompiledImportBatch, type ImportBatchResult, type ImportRejection } from "./compiler/compileImportBatch.ts";
import { compileUpdateMany, compileDeleteMany } from "./compiler/compileWriteMany.ts";
import { compileAggregate, compileFindMany, compileFindUnique, compileGroupBy } from "./compiler/index.ts";
import { mapDatabaseError } from "./mapDatabaseError.ts";
import type { EngineCore } from "./EngineCore.ts";
import type { EventRecord } from "./events/EventRecord.ts";
import { replayRecord } from "./events/replayRecord.ts";
import { Authorizer } from "./authorization/Authorizer.ts";
import { compileHistory } from "./compiler/compileHistory.ts";
import type { AccessAction } from "@tessera/schema";
import { checkId, chosenIdErrors, expectAccess, expectAllowed, expectChanged, fieldAccessErrors, forbiddenFields, guardFailure, mayChooseIds, outsideRules, requireTenant, txContextOf, uniqueKeyOf } from "./write/writeChecks.ts";

export interface WriteResult {
  record: RecordData | null;
  previous: RecordData | null;
  event: { seq: number } | null;
}

export interface ManyResult {
  count: number;
}

export interface ImportBatchOptions {
  /**
   * The primary key or a unique field: a row whose value matches a live row updates that row, the
   * other rows are created. Without it every row is created.
   */
  upsertBy?: string;
}

/** What happened to one row of `importBatch`; `errors` paths are field names. */
export type ImportRowResult =
  | { status: "created" | "updated" | "unchanged"; id: string }
  | { status: "rejected"; errors: FieldError[] };

/** A row of an import batch that passed validation, waiting for its statement. */
interface PendingImportRow {
  index: number;
  isNew: boolean;
  /** Keyed by id, by a caller who may not choose ids: updates the matching row or is rejected. */
  updateOnly: boolean;
  idGiven: boolean;
  values: Record<string, unknown>;
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
    errors.push(...this.chosenIdErrors(values, ctx, ["data"]));
    if (errors.length > 0) throw validationFailed(errors);
    this.requireWritable(auth, values.keys());
    const unset = applyPrincipalDefaults(this.model, values, ctx);
    if (unset.length > 0) throw validationFailed(unset);
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
      errors.push(...result.errors, ...this.chosenIdErrors(result.values, ctx, ["data", i]));
      const row: Record<string, unknown> = {};
      for (const field of this.model.fields) {
        if (result.values.has(field)) row[field.name] = result.values.get(field);
        else if (field.name === this.model.primaryKey) row[field.name] = randomUUID();
        else if (field.default !== undefined && !field.system) row[field.name] = field.default;
        else if (principalDefault(field, ctx) !== undefined) row[field.name] = principalDefault(field, ctx);
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
          for (const check of compiled.requiredIfChecks) {
            for (const i of (row[check.column] as number[] | null) ?? []) missing.push({ path: ["data", start + i, check.field.name], message: check.message, rule: "required_if" });
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

  /**
   * Writes imported rows through the write path, each on its own merits: a row that fails validation,
   * a reference, a row rule or a unique check is reported and not written, and never stops the
   * others. With `upsertBy`, a row whose key matches a live row updates it, the others are created.
   * A null or absent value means "not given": the default on create, left as it is on update. An
   * update that would change nothing is not written ("unchanged"). One statement per batch, in its
   * own transaction, with one event per written row; rows sharing a key value go to successive
   * statements, so a later row updates what an earlier one created.
   */
  async importBatch(rows: readonly unknown[], ctx: RequestContext, options: ImportBatchOptions = {}): Promise<ImportRowResult[]> {
    const auth = this.authorize(ctx, "create");
    const key = options.upsertBy === undefined ? null : this.importKey(options.upsertBy, ctx, auth);
    this.requireTenant(ctx);
    const results: ImportRowResult[] = new Array<ImportRowResult>(rows.length);
    const groups: PendingImportRow[][] = [[]];
    let keys = new Set<string>();
    rows.forEach((data, index) => {
      const prepared = this.prepareImportRow(data, key, auth, ctx);
      if ("errors" in prepared) {
        results[index] = { status: "rejected", errors: prepared.errors };
        return;
      }
      const keyValue = key && !prepared.isNew ? JSON.stringify(prepared.values[key.name]) : undefined;
      if (keyValue !== undefined && keys.has(keyValue)) {
        groups.push([]);
        keys = new Set();
      }
      if (keyValue !== undefined) keys.add(keyValue);
      groups.at(-1)!.push({ index, ...prepared });
    });
    let written = false;
    for (const group of groups) if (group.length > 0 && (await this.writeImportGroup(group, key, ctx, results))) written = true;
    if (written) this.core.afterCommit(ctx.tenantId, this.model.name);
    return results;
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
        const unset = applyPrincipalDefaults(this.model, createValues, ctx, ["upsert", "create"]);
        if (unset.length > 0) throw validationFailed(unset);
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

  /**
   * Every row matching `where`, in `orderBy` order, a page at a time (one statement per page, keyset
   * cursors), for exports and lookups that need all rows: the rules and projection of findMany,
   * without its page-size cap and outside the read cache. Pages are separate transactions, so rows
   * changed during the walk appear as of the page that reads them.
   */
  async *findEach(args: Pick<FindManyArgs, "where" | "orderBy" | "fields">, ctx: RequestContext, options: { pageSize?: number } = {}): AsyncGenerator<RecordData[]> {
    this.authorize(ctx, "read");
    this.requireTenant(ctx);
    const pageSize = options.pageSize ?? 1000;
    let after: string | undefined;
    for (;;) {
      const pageArgs: FindManyArgs = { ...args, first: pageSize, ...(after === undefined ? {} : { after }) };
      const compiled = compileFindMany(this.schema, this.model, pageArgs, ctx, { defaultPageSize: pageSize, maxPageSize: pageSize });
      const page = compiled.decode((await this.read(compiled, ctx)).rows);
      if (page.nodes.length > 0) yield page.nodes;
      if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return;
      after = page.pageInfo.endCursor;
    }
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

  private chosenIdErrors(values: Map<FieldIR, unknown>, ctx: RequestContext, prefix: (string | number)[]): FieldError[] {
    return chosenIdErrors(this.model, values, ctx, prefix);
  }

  private mayChooseIds(ctx: RequestContext): boolean {
    return mayChooseIds(ctx);
  }

  private requireTenant(ctx: RequestContext): void {
    requireTenant(this.model, ctx);
  }

  private txContext(ctx: RequestContext): TxContext {
    return txContextOf(ctx);
  }

  private uniqueKey(where: Where, auth: Authorizer): UniqueKey {
    return uniqueKeyOf(this.schema, this.model, where, auth);
  }

  /** The upsert key of an import: the primary key or a unique field the principal may read; needs update access. */
  private importKey(name: string, ctx: RequestContext, auth: Authorizer): FieldIR {
    this.authorize(ctx, "update");
    const keys = this.model.fields.filter((f) => f.name === this.model.primaryKey || f.rules.some((r) => r.kind === "unique"));
    const field = keys.find((f) => f.name === name);
    if (!field) {
      const message = `'${name}' is not the primary key or a unique field of ${this.model.name}; use one of ${keys.map((f) => f.name).join(", ")}`;
      throw validationFailed([{ path: ["upsertBy"], message, rule: "unique_where" }]);
    }
    if (!auth.canReadField(this.model, field)) throw new EngineError("FORBIDDEN", `${this.model.name}.${name} is not readable for this principal`);
    return field;
  }

  /**
   * Validates one imported row: as a create when it has no key value, otherwise as a partial update
   * (whether it updates or creates is known only in the statement, which checks required fields).
   */
  private prepareImportRow(data: unknown, key: FieldIR | null, auth: Authorizer, ctx: RequestContext): Omit<PendingImportRow, "index"> | { errors: FieldError[] } {
    if (data === null || typeof data !== "object" || Array.isArray(data)) return { errors: [{ path: [], message: "must be an object of field values", rule: "type" }] };
    const given: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(data)) if (value !== null && value !== undefined) given[name] = value;
    const keyValue = key ? given[key.name] : undefined;
    const isNew = keyValue === undefined;
    let validated: { values: Map<FieldIR, unknown>; errors: FieldError[] };
    if (isNew) validated = validateInput(this.schema, this.model, given, "create", []);
    else if (key!.system) {
      const rest = { ...given };
      delete rest[key!.name];
      validated = validateInput(this.schema, this.model, rest, "update", []);
      const idError = checkId(keyValue);
      if (idError) validated.errors.push({ path: [key!.name], message: `${key!.name} ${idError}`, rule: "type" });
      else validated.values.set(key!, String(keyValue).toLowerCase());
    } else validated = validateInput(this.schema, this.model, given, "update", []);
    const errors = validated.errors;
    if (isNew) errors.push(...this.chosenIdErrors(validated.values, ctx, []));
    for (const field of validated.values.keys()) {
      if (!auth.canWriteField(this.model, field)) errors.push({ path: [field.name], message: `${this.model.name}.${field.name} is not writable for this principal`, rule: "field_access" });
    }
    if (errors.length > 0) return { errors };
    const values: Record<string, unknown> = {};
    for (const [field, value] of validated.values) values[field.name] = value;
    const idGiven = values[this.model.primaryKey] !== undefined;
    if (!idGiven) values[this.model.primaryKey] = randomUUID();
    // A row keyed by id that matches nothing is not created with that id (see chosenIdErrors).
    const updateOnly = !isNew && key!.name === this.model.primaryKey && !this.mayChooseIds(ctx);
    return { isNew, idGiven, updateOnly, values };
  }

  /**
   * One statement for the group. A database error the checks did not foresee (a constraint, a
   * concurrent change) rolls the statement back; the group is then split in halves and retried,
   * down to the single row that causes it, which is rejected with the mapped error.
   */
  private async writeImportGroup(group: PendingImportRow[], key: FieldIR | null, ctx: RequestContext, results: ImportRowResult[]): Promise<boolean> {
    const used = new Set<string>();
    for (const row of group) for (const name of Object.keys(row.values)) used.add(name);
    const fields = this.model.fields.filter((f) => used.has(f.name) && (f.name !== this.model.primaryKey || group.some((r) => r.idGiven)));
    const compiled = compileImportBatch(this.schema, this.model, fields, group, key, ctx);
    let row: ImportBatchResult;
    try {
      row = await this.db.transaction(async (tx) => (await tx.query<ImportBatchResult>(compiled.sql, compiled.params)).rows[0], this.txContext(ctx));
    } catch (error) {
      const mapped = mapDatabaseError(error, this.schema, this.model);
      if (!(mapped instanceof EngineError) || mapped.code === "INTERNAL") throw mapped;
      if (group.length === 1) {
        const errors = mapped.fieldErrors.map((e) => ({ ...e, path: e.path[0] === "data" ? e.path.slice(1) : e.path }));
        results[group[0].index] = { status: "rejected", errors: errors.length > 0 ? errors : [{ path: [], message: mapped.message, rule: mapped.code.toLowerCase() }] };
        return false;
      }
      const half = Math.ceil(group.length / 2);
      const first = await this.writeImportGroup(group.slice(0, half), key, ctx, results);
      const second = await this.writeImportGroup(group.slice(half), key, ctx, results);
      return first || second;
    }
    for (const rejection of row.rejected) results[group[rejection.i].index] = { status: "rejected", errors: this.importRejection(rejection, compiled, key, group[rejection.i]) };
    const byId = new Map(group.map((pending) => [String(pending.values[this.model.primaryKey]), pending]));
    for (const id of row.created) results[byId.get(id)!.index] = { status: "created", id };
    for (const [i, id] of row.updated) results[group[i].index] = { status: "updated", id };
    for (const [i, id] of row.unchanged) results[group[i].index] = { status: "unchanged", id };
    // Rows that passed every check but were not inserted met a unique value (ON CONFLICT DO NOTHING).
    for (const pending of group) if (results[pending.index] === undefined) results[pending.index] = { status: "rejected", errors: [this.uniqueConflict(pending)] };
    return row.created.length > 0 || row.updated.length > 0;
  }

  private importRejection(rejection: ImportRejection, compiled: CompiledImportBatch, key: FieldIR | null, row: PendingImportRow): FieldError[] {
    if (row.updateOnly && (!rejection.found || !rejection.readable)) {
      return [{ path: [key!.name], message: `no ${this.model.name} has this ${key!.name}; ids are assigned by the server, so leave the ${key!.name} empty to create a new record`, rule: "not_found" }];
    }
    // A matched row the principal cannot read does not exist for it: as for a create, the key is taken.
    if (rejection.found && !rejection.readable) {
      return [{ path: [key!.name], message: `another ${this.model.name} already has this ${key!.name}`, rule: "unique" }];
    }
    const errors: FieldError[] = [];
    if (rejection.found && !rejection.writable) {
      errors.push({ path: [], message: `${permissionName(this.schema, this.model, "update")} is not allowed on this ${this.model.name} (row rules or policy)`, rule: "row_access" });
    }
    rejection.g.forEach((ok, k) => {
      if (!ok) errors.push({ path: [compiled.references[k].field.name], message: compiled.references[k].message, rule: "exists" });
    });
    rejection.r.forEach((ok, k) => {
      if (!ok) errors.push({ path: [compiled.required[k].name], message: `${compiled.required[k].name} is required`, rule: "required" });
    });
    rejection.q.forEach((ok, k) => {
      if (!ok) errors.push({ path: [compiled.conditional[k].field.name], message: compiled.conditional[k].message, rule: "required_if" });
    });
    if (!rejection.allowed) errors.push({ path: [], message: this.outsideRules(rejection.found ? "update" : "create").message, rule: "row_access" });
    return errors;
  }

  private uniqueConflict(row: PendingImportRow): FieldError {
    const candidates = this.model.fields.filter((f) => (f.name === this.model.primaryKey ? row.idGiven : f.rules.some((r) => r.kind === "unique") && row.values[f.name] !== undefined));
    if (candidates.length === 1) return { path: [candidates[0].name], message: `another ${this.model.name} already has this ${candidates[0].name}`, rule: "unique" };
    return { path: [], message: `another ${this.model.name} already has one of these values: ${candidates.map((f) => f.name).join(", ")}`, rule: "unique" };
  }

  private expectChanged(row: WriteRow, key: UniqueKey, options: UpdateOptions, action: AccessAction): WriteRow {
    return expectChanged(this.schema, this.model, row, key, options, action);
  }

  private expectAccess(row: WriteRow, key: UniqueKey, action: AccessAction): void {
    expectAccess(this.schema, this.model, row, key, action);
  }

  private expectAllowed(row: WriteRow, action: AccessAction): void {
    expectAllowed(this.schema, this.model, row, action);
  }

  private outsideRules(action: AccessAction): EngineError {
    return outsideRules(this.schema, this.model, action);
  }

  /** Checks the role matrix and policies of the action (before any validation or SQL). */
  private authorize(ctx: RequestContext, action: AccessAction): Authorizer {
    const auth = new Authorizer(this.schema, ctx);
    auth.require(this.model, action);
    return auth;
  }

  /** FORBIDDEN naming the field path when a field without write access is written. */
  private requireWritable(auth: Authorizer, fields: Iterable<FieldIR>, prefix: (string | number)[] = ["data"]): void {
    const errors = fieldAccessErrors(auth, this.model, fields, prefix);
    if (errors.length > 0) throw forbiddenFields(errors);
  }

  private async runWrite(compiled: CompiledWrite, ctx: RequestContext): Promise<WriteRow> {
    let row: WriteRow;
    try {
      row = await this.db.transaction(async (tx) => (await tx.query<WriteRow>(compiled.sql, compiled.params)).rows[0], this.txContext(ctx));
    } catch (error) {
      throw mapDatabaseError(error, this.schema, this.model);
    }
    const failed = guardFailure(compiled.guards, row);
    if (failed) throw failed;
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

export type { FieldIR };
