// Runs a planned write tree inside one transaction. Each record is written by the statement its
// one-record call uses (compileCreate / compileRowChange / compileUpdateMany: guards, row rules and
// the event append in the statement); the tree is the order of those statements: the records a
// belongsTo points at first, then the record, then its hasMany children. The first refusal throws,
// which rolls back every statement before it, events included.
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import type { Queryable } from "@tessera/db";
import { EngineError, notFound, validationFailed } from "../EngineError.ts";
import type { RecordData, RequestContext, Selection } from "../queryTypes.ts";
import type { Authorizer } from "../authorization/Authorizer.ts";
import { compileCreate, compileRowChange, type CompiledWrite, type WriteRow } from "../compiler/compileWrite.ts";
import { compileUpdateMany } from "../compiler/compileWriteMany.ts";
import { compileFindUnique } from "../compiler/compileFindUnique.ts";
import { mapDatabaseError } from "../mapDatabaseError.ts";
import { applyPrincipalDefaults } from "./principalDefaults.ts";
import { expectAllowed, expectChanged, guardFailure, outsideRules, underPath, type Path } from "./writeChecks.ts";
import type { ConnectPlan, CreatePlan, ToManyPlan, ToOnePlan, UpdatePlan, WritePlan } from "./planWriteTree.ts";

export class WritePlanRunner {
  /** Models with a committed change once the transaction commits (for the after-commit hook). */
  readonly changed = new Set<string>();

  constructor(
    private readonly schema: SchemaIR,
    private readonly tx: Queryable,
    private readonly ctx: RequestContext,
    private readonly auth: Authorizer,
  ) {}

  /** Writes the tree; returns the root record as written (redacted), or as read back with `select`. */
  async run(plan: WritePlan, select: Selection | undefined): Promise<RecordData | null> {
    const written = plan.kind === "create" ? await this.create(plan, undefined) : await this.update(plan);
    if (!select) return written.record === null ? null : this.auth.redact(plan.model, written.record);
    const pk = plan.model.primaryKey;
    const compiled = compileFindUnique(this.schema, plan.model, { [pk]: written.id }, select, this.ctx);
    return compiled.decode((await this.query(plan.model, plan.path, compiled)).rows);
  }

  private async create(plan: CreatePlan, parentId: string | undefined): Promise<{ id: string; record: RecordData | null }> {
    await this.resolveToOne(plan.toOne, plan.values);
    if (plan.parentKey) plan.values.set(plan.parentKey, parentId);
    const unset = applyPrincipalDefaults(plan.model, plan.values, this.ctx, plan.path);
    if (unset.length > 0) throw validationFailed(unset);
    const row = await this.write(plan.model, plan.path, compileCreate(this.schema, plan.model, plan.values, this.ctx));
    expectAllowed(this.schema, plan.model, row, "create");
    const id = String(row.record![plan.model.primaryKey]);
    await this.applyToMany(plan, id);
    return { id, record: row.record };
  }

  private async update(plan: UpdatePlan): Promise<{ id: string; record: RecordData | null }> {
    await this.resolveToOne(plan.toOne, plan.values);
    const options = plan.expectedVersion === undefined ? {} : { expectedVersion: plan.expectedVersion };
    let record: RecordData | null;
    // Only to-many inputs: the record itself is not changed (no version bump, no event), only found.
    if (plan.values.size === 0 && plan.expectedVersion === undefined && plan.toMany.length > 0) {
      record = await this.find(plan.model, plan.where, ["where"]);
      if (!record) throw notFound(plan.model.name, plan.key.value);
    } else {
      const row = await this.write(plan.model, plan.path, compileRowChange(this.schema, plan.model, plan.key, { kind: "update", values: plan.values }, this.ctx, options));
      record = expectChanged(this.schema, plan.model, row, plan.key, options, "update").record;
    }
    const id = String(record![plan.model.primaryKey]);
    await this.applyToMany(plan, id);
    return { id, record };
  }

  /** Sets each belongsTo key from the record it creates or names (the planner left PENDING_KEY there). */
  private async resolveToOne(toOne: readonly ToOnePlan[], values: Map<FieldIR, unknown>): Promise<void> {
    for (const link of toOne) {
      if (link.create) values.set(link.foreignKey, (await this.create(link.create, undefined)).id);
      else if (link.connect) values.set(link.foreignKey, await this.connectedId(link.connect));
    }
  }

  /**
   * The id a connect names. By primary key it is the given value (the record's own statement checks
   * that it exists, in the tenant, readable); by another unique field it is looked up here.
   */
  private async connectedId(connect: ConnectPlan): Promise<string> {
    if (connect.key.field.name === connect.model.primaryKey) return String(connect.key.value);
    const found = await this.find(connect.model, connect.where, connect.path);
    if (!found) throw validationFailed([{ path: connect.path, message: `no ${connect.model.name} matches ${JSON.stringify(connect.where)}`, rule: "exists" }]);
    return String(found[connect.model.primaryKey]);
  }

  private async applyToMany(plan: CreatePlan | UpdatePlan, id: string): Promise<void> {
    for (const toMany of plan.toMany) {
      for (const child of toMany.create) await this.create(child, id);
      for (const connect of toMany.connect) await this.connectChild(toMany, connect, id);
      for (const item of toMany.disconnect) await this.disconnectChild(plan.model, toMany, item, id);
    }
  }

  /** Moves an existing record to this parent: an update of its foreign key, with that update's checks. */
  private async connectChild(toMany: ToManyPlan, connect: ConnectPlan, id: string): Promise<void> {
    const values = new Map<FieldIR, unknown>([[toMany.foreignKey, id]]);
    const row = await this.write(toMany.target, connect.path, compileRowChange(this.schema, toMany.target, connect.key, { kind: "update", values }, this.ctx));
    expectChanged(this.schema, toMany.target, row, connect.key, {}, "update");
  }

  /** Clears the foreign key of a record pointing at this parent; NOT_FOUND when none does (or may be changed). */
  private async disconnectChild(parent: ModelIR, toMany: ToManyPlan, item: { path: Path; where: Record<string, unknown> }, id: string): Promise<void> {
    const values = new Map<FieldIR, unknown>([[toMany.foreignKey, null]]);
    const where = { AND: [{ ...item.where }, { [toMany.foreignKey.name]: id }] };
    const compiled = compileUpdateMany(this.schema, toMany.target, where, values, this.ctx);
    const row = (await this.query(toMany.target, item.path, compiled)).rows[0];
    const failed = guardFailure(compiled.guards, row as unknown as WriteRow, item.path);
    if (failed) throw failed;
    if (row.allowed === false) throw outsideRules(this.schema, toMany.target, "update");
    if (Number(row.count) === 0) throw new EngineError("NOT_FOUND", `${toMany.target.name} ${JSON.stringify(item.where)} is not connected to ${parent.name} ${id}`);
    this.changed.add(toMany.target.name);
  }

  private async find(model: ModelIR, where: Record<string, unknown>, path: Path): Promise<RecordData | null> {
    const compiled = compileFindUnique(this.schema, model, where, { fields: [model.primaryKey] }, this.ctx);
    return compiled.decode((await this.query(model, path, compiled)).rows);
  }

  /** One record's statement; a failed reference guard is VALIDATION_FAILED under the record's path. */
  private async write(model: ModelIR, path: Path, compiled: CompiledWrite): Promise<WriteRow> {
    const row = (await this.query(model, path, compiled)).rows[0] as unknown as WriteRow;
    const failed = guardFailure(compiled.guards, row, path);
    if (failed) throw failed;
    if (row.seq !== null) this.changed.add(model.name);
    return row;
  }

  /** A statement of the transaction; database errors become engine errors naming the record's path. */
  private async query(model: ModelIR, path: Path, compiled: { sql: string; params: unknown[] }): Promise<{ rows: Record<string, unknown>[] }> {
    try {
      return await this.tx.query<Record<string, unknown>>(compiled.sql, compiled.params);
    } catch (error) {
      const mapped = mapDatabaseError(error, this.schema, model);
      if (!(mapped instanceof EngineError) || mapped.fieldErrors.length === 0) throw mapped;
      const fieldErrors = mapped.fieldErrors.map((e) => ({ ...e, path: underPath(e.path, path) }));
      throw mapped.code === "VALIDATION_FAILED" ? validationFailed(fieldErrors) : new EngineError(mapped.code, mapped.message, fieldErrors);
    }
  }
}
