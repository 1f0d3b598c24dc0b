// The checks every write makes before and after its statement, shared by the one-record calls of
// Repository and the write tree (writeTree.ts): who may choose ids, which fields the principal may
// write, how a unique where becomes a key, and what a compiled write's result row means (a failed
// reference guard, a hidden or refused row, a stale version, a row outside the principal's rules).
import { permissionName, UUID_PATTERN, type AccessAction, type FieldIR, type ModelIR, type SchemaIR } from "@tessera/schema";
import type { TxContext } from "@tessera/db";
import { EngineError, notFound, validationFailed, type FieldError } from "../EngineError.ts";
import type { RequestContext, Where } from "../queryTypes.ts";
import type { Authorizer } from "../authorization/Authorizer.ts";
import type { Guard, UniqueKey, UpdateOptions, WriteRow } from "../compiler/compileWrite.ts";
import { validateInput } from "../validate/validateInput.ts";

export type Path = (string | number)[];

/** The system API runs as the connecting role (no RLS); everyone else as the app role of the tenant. */
export function txContextOf(ctx: RequestContext): TxContext {
  return { tenantId: ctx.tenantId, role: ctx.principal?.kind === "system" ? false : undefined };
}

export function mayChooseIds(ctx: RequestContext): boolean {
  return ctx.principal?.kind === "system";
}

/**
 * Only the system API may choose a new record's id. A caller who could would learn whether an id
 * is taken in another tenant (the key is global), so a chosen id is refused whether it is free,
 * taken here or taken elsewhere: the three are indistinguishable.
 */
export function chosenIdErrors(model: ModelIR, values: Map<FieldIR, unknown>, ctx: RequestContext, prefix: Path): FieldError[] {
  if (mayChooseIds(ctx) || ![...values.keys()].some((f) => f.name === model.primaryKey)) return [];
  return [{ path: [...prefix, model.primaryKey], message: `${model.primaryKey} is assigned by the server; leave it out to create a new ${model.name}`, rule: "server_assigned" }];
}

export function requireTenant(model: ModelIR, ctx: RequestContext): void {
  if (model.tenantScoped && !ctx.tenantId) {
    throw new EngineError("FORBIDDEN", `${model.name} is tenant-scoped: the request needs a tenant`);
  }
}

/** One error per field the principal may not write, named by its input path. */
export function fieldAccessErrors(auth: Authorizer, model: ModelIR, fields: Iterable<FieldIR>, prefix: Path): FieldError[] {
  return [...fields]
    .filter((f) => !auth.canWriteField(model, f))
    .map((f) => ({ path: [...prefix, f.name], message: `${model.name}.${f.name} is not writable for this principal`, rule: "field_access" }));
}

export function forbiddenFields(errors: FieldError[]): EngineError {
  return new EngineError("FORBIDDEN", errors.map((e) => `${e.path.join(".")}: ${e.message}`).join("; "), errors);
}

export function checkId(value: unknown): string | undefined {
  return typeof value === "string" && UUID_PATTERN.test(value) ? undefined : "must be a UUID";
}

/**
 * The primary key or one unique field naming exactly one row, its value validated and coerced;
 * errors are reported under `prefix` (`["where"]` for a root call).
 */
export function uniqueKeyOf(schema: SchemaIR, model: ModelIR, where: Where, auth: Authorizer, prefix: Path = ["where"]): UniqueKey {
  const entries = Object.entries(where ?? {}).filter(([, v]) => v !== undefined);
  const fail = (message: string, path: Path = prefix): never => {
    throw validationFailed([{ path, message, rule: "unique_where" }]);
  };
  if (entries.length !== 1) fail(`identify exactly one ${model.name} by ${model.primaryKey} or a unique field`);
  const [name, value] = entries[0];
  const field = model.fields.find((f) => f.name === name);
  const isUnique = field && (field.name === model.primaryKey || field.rules.some((r) => r.kind === "unique"));
  if (!field || !isUnique) fail(`'${name}' is not the primary key or a unique field of ${model.name}`, [...prefix, name]);
  if (!auth.canReadField(model, field!)) throw new EngineError("FORBIDDEN", `${model.name}.${name} is not readable for this principal`);
  const pkError = field!.system ? checkId(value) : undefined;
  if (pkError) fail(pkError, [...prefix, name]);
  if (field!.system) return { field: field!, value: String(value).toLowerCase() };
  const { values, errors } = validateInput(schema, model, { [name]: value }, "update", prefix);
  if (errors.length > 0) throw validationFailed(errors);
  return { field: field!, value: values.get(field!) };
}

/**
 * VALIDATION_FAILED for the guards the statement found false, their `["data", field]` paths moved
 * under `dataPath`. A row that was not found (or is hidden) reports that instead, and so does a row
 * the principal may not change at all (FORBIDDEN): fixing the input would not make the write pass.
 */
export function guardFailure(guards: readonly Guard[], row: WriteRow, dataPath: Path = ["data"]): EngineError | undefined {
  const failed = guards.filter((_, i) => row[`g${i}`] === false);
  if (failed.length === 0 || row.found === false || row.readable === false || row.writable === false) return undefined;
  return validationFailed(failed.map((g) => ({ path: underPath(g.path, dataPath), message: g.message, rule: g.rule })));
}

/** `["data", …rest]` → `[…dataPath, …rest]`: compiled writes name their input `data`. */
export function underPath(path: Path, dataPath: Path): Path {
  return path[0] === "data" ? [...dataPath, ...path.slice(1)] : path;
}

export function outsideRules(schema: SchemaIR, model: ModelIR, action: AccessAction): EngineError {
  return new EngineError("FORBIDDEN", `${permissionName(schema, model, action)}: the written ${model.name} would be outside the rows this principal may change`);
}

export function expectAllowed(schema: SchemaIR, model: ModelIR, row: WriteRow, action: AccessAction): void {
  if (row.allowed === false) throw outsideRules(schema, model, action);
}

/** A row the principal cannot read does not exist for it; one it can read but not change is FORBIDDEN. */
export function expectAccess(schema: SchemaIR, model: ModelIR, row: WriteRow, key: UniqueKey, action: AccessAction): void {
  if (!row.found || row.readable === false) throw notFound(model.name, key.value);
  if (row.writable === false) {
    throw new EngineError("FORBIDDEN", `${permissionName(schema, model, action)} is not allowed on ${model.name} ${String(key.value)} (row rules or policy)`);
  }
  expectAllowed(schema, model, row, action);
}

/** As `expectAccess`, and CONFLICT when the row was found but not changed (a stale expectedVersion). */
export function expectChanged(schema: SchemaIR, model: ModelIR, row: WriteRow, key: UniqueKey, options: UpdateOptions, action: AccessAction): WriteRow {
  expectAccess(schema, model, row, key, action);
  if (!row.record) {
    throw new EngineError(
      "CONFLICT",
      `${model.name} ${String(key.value)} is at version ${row.current_version}, not ${options.expectedVersion}: reload it and apply the change again`,
    );
  }
  return row;
}
