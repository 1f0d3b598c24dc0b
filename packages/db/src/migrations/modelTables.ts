// Desired tables, keys, indexes, policies and grants for the models of a Schema IR and for the
// join tables of their manyToMany relations. Pure: the same IR always gives the same objects in
// the same order (models in IR order, fields in field order).
import type { FieldIR, ManyToManyIR, ModelIR, SchemaIR } from "@tessera/schema";
import { SYSTEM_FIELDS } from "@tessera/schema";
import { foreignKeyIndexName, foreignKeyName, searchIndexName, tenantPolicyName, UNACCENT_FUNCTION, uniqueIndexName } from "../constraintNames.ts";
import { quoteIdent } from "../quoteIdent.ts";
import type { DesiredColumn, DesiredForeignKey, DesiredIndex, DesiredPart, DesiredTable } from "./desiredSchema.ts";
import { defaultLiteral, fieldSqlType, TENANT_MATCH_SQL, TENANT_SETTING_SQL } from "./sqlTypes.ts";

const q = quoteIdent;
const MODEL_GRANTS = ["SELECT", "INSERT", "UPDATE", "DELETE"];
const NOT_DELETED = `${q(SYSTEM_FIELDS.deletedAt)} IS NULL`;

const tenantColumn = (): DesiredColumn => ({ name: SYSTEM_FIELDS.tenantId, type: "uuid", notNull: true, default: TENANT_SETTING_SQL });

// System columns have fixed definitions whatever the field list says about them.
const SYSTEM_COLUMNS: Record<string, () => DesiredColumn> = {
  [SYSTEM_FIELDS.tenantId]: tenantColumn,
  [SYSTEM_FIELDS.version]: () => ({ name: SYSTEM_FIELDS.version, type: "integer", notNull: true, default: "1" }),
  [SYSTEM_FIELDS.createdAt]: () => ({ name: SYSTEM_FIELDS.createdAt, type: "timestamptz", notNull: true, default: "now()" }),
  [SYSTEM_FIELDS.updatedAt]: () => ({ name: SYSTEM_FIELDS.updatedAt, type: "timestamptz", notNull: true, default: "now()" }),
  [SYSTEM_FIELDS.deletedAt]: () => ({ name: SYSTEM_FIELDS.deletedAt, type: "timestamptz", notNull: false }),
};

function modelColumn(model: ModelIR, field: FieldIR): DesiredColumn {
  const where = `${model.name}.${field.name}`;
  if (field.name === model.primaryKey) {
    return { name: field.column, type: "uuid", notNull: true, primaryKey: true, default: "gen_random_uuid()" };
  }
  const system = field.system ? SYSTEM_COLUMNS[field.column] : undefined;
  if (system) return system();
  const type = fieldSqlType(field, where);
  if (field.type === "array") {
    // Arrays are never NULL: "no values" has exactly one spelling, so filters need no NULL cases.
    if (field.default !== undefined && field.default !== null) {
      throw new Error(`${where}: array fields cannot declare a default (they default to an empty array)`);
    }
    return { name: field.column, type, notNull: true, default: "'{}'" };
  }
  const literal = defaultLiteral(field, where);
  return { name: field.column, type, notNull: field.required, ...(literal !== undefined ? { default: literal } : {}) };
}

function pkColumn(model: ModelIR): string {
  const pk = model.fields.find((f) => f.name === model.primaryKey);
  if (!pk) throw new Error(`${model.name}: primary key field '${model.primaryKey}' is missing from the IR`);
  return pk.column;
}

function requireModel(ir: SchemaIR, name: string, where: string): ModelIR {
  const model = ir.models.find((m) => m.name === name);
  if (!model) throw new Error(`${where}: unknown model '${name}'`);
  return model;
}

function requireField(model: ModelIR, name: string, where: string): FieldIR {
  const field = model.fields.find((f) => f.name === name);
  if (!field) throw new Error(`${where}: '${name}' is not a field of ${model.name}`);
  return field;
}

function tenantPolicy(table: string, appRole: string) {
  return { name: tenantPolicyName, table, role: appRole, using: TENANT_MATCH_SQL, check: TENANT_MATCH_SQL };
}

/** Foreign keys from belongsTo, plus hasMany keys no belongsTo covers; one per (table, column). */
function foreignKeys(ir: SchemaIR): { fks: DesiredForeignKey[]; indexes: DesiredIndex[] } {
  const fks: DesiredForeignKey[] = [];
  const indexes: DesiredIndex[] = [];
  const seen = new Set<string>();
  const add = (model: ModelIR, field: FieldIR, target: ModelIR, onDelete: DesiredForeignKey["onDelete"]): void => {
    const key = `${model.tableName}.${field.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    fks.push({ name: foreignKeyName(model, field), table: model.tableName, column: field.column, refTable: target.tableName, refColumn: pkColumn(target), onDelete });
    // Every foreign key gets an index: joins and ON DELETE checks otherwise scan the child table.
    indexes.push({ name: foreignKeyIndexName(model, field), table: model.tableName, unique: false, method: "btree", keys: [q(field.column)] });
  };
  for (const model of ir.models) {
    for (const rel of model.relations) {
      if (rel.kind !== "belongsTo") continue;
      const where = `${model.name}.relationships.${rel.name}`;
      add(model, requireField(model, rel.foreignKey, where), requireModel(ir, rel.target, where), rel.onDelete);
    }
  }
  for (const model of ir.models) {
    for (const rel of model.relations) {
      if (rel.kind !== "hasMany") continue;
      const where = `${model.name}.relationships.${rel.name}`;
      const target = requireModel(ir, rel.target, where);
      // RESTRICT: without a belongsTo declaring what should happen, deleting the parent must not
      // silently delete or orphan children.
      add(target, requireField(target, rel.foreignKey, where), model, "restrict");
    }
  }
  return { fks, indexes };
}

function modelIndexes(model: ModelIR): DesiredIndex[] {
  const out: DesiredIndex[] = [];
  const tenantKeys = model.tenantScoped ? [q(SYSTEM_FIELDS.tenantId)] : [];
  for (const field of model.fields) {
    if (!field.rules.some((r) => r.kind === "unique")) continue;
    // Partial: a soft-deleted record must not block re-creating one with the same value.
    out.push({ name: uniqueIndexName(model, field), table: model.tableName, unique: true, method: "btree", keys: [...tenantKeys, q(field.column)], where: NOT_DELETED });
  }
  for (const name of model.searchable) {
    const field = requireField(model, name, `${model.name}.searchable`);
    const expr = `${q(UNACCENT_FUNCTION)}(lower(${q(field.column)})) gin_trgm_ops`;
    out.push({ name: searchIndexName(model, field), table: model.tableName, unique: false, method: "gin", keys: [expr] });
  }
  for (const index of model.indexes) {
    const keys = index.fields.map((name) => q(requireField(model, name, `${model.name}.indexes.${index.name}`).column));
    out.push({ name: index.name, table: model.tableName, unique: index.unique, method: "btree", keys });
  }
  return out;
}

function modelTable(model: ModelIR): DesiredTable {
  return {
    name: model.tableName,
    kind: "model",
    owner: model.name,
    columns: model.fields.map((f) => modelColumn(model, f)),
    rls: model.tenantScoped,
    grants: [...MODEL_GRANTS],
  };
}

interface JoinDeclaration {
  source: ModelIR;
  target: ModelIR;
  rel: ManyToManyIR;
}

/** One join table per `through` name, however many sides declare it; conflicting declarations are errors. */
function joinDeclarations(ir: SchemaIR): JoinDeclaration[] {
  const byTable = new Map<string, JoinDeclaration>();
  for (const source of ir.models) {
    for (const rel of source.relations) {
      if (rel.kind !== "manyToMany") continue;
      const where = `${source.name}.relationships.${rel.name}`;
      const target = requireModel(ir, rel.target, where);
      if (rel.sourceKey === rel.targetKey) throw new Error(`${where}: sourceKey and targetKey are both '${rel.sourceKey}'; name them apart`);
      const first = byTable.get(rel.through);
      if (!first) {
        byTable.set(rel.through, { source, target, rel });
        continue;
      }
      const same = (a: string, b: string, c: string, d: string): boolean => a === c && b === d;
      const mirrored =
        same(first.source.name, first.rel.sourceKey, target.name, rel.targetKey) && same(first.target.name, first.rel.targetKey, source.name, rel.sourceKey);
      const repeated =
        same(first.source.name, first.rel.sourceKey, source.name, rel.sourceKey) && same(first.target.name, first.rel.targetKey, target.name, rel.targetKey);
      if (!mirrored && !repeated) {
        throw new Error(`${where}: join table '${rel.through}' is declared differently by ${first.source.name}.relationships.${first.rel.name}`);
      }
    }
  }
  return [...byTable.values()];
}

function joinObjects({ source, target, rel }: JoinDeclaration, appRole: string): DesiredPart {
  const table = rel.through;
  // The naming conventions only read the table and column names.
  const names = (column: string) => [{ tableName: table } as ModelIR, { column } as FieldIR] as const;
  const fk = (column: string, ref: ModelIR): DesiredForeignKey => ({
    name: foreignKeyName(...names(column)),
    table,
    column,
    refTable: ref.tableName,
    refColumn: pkColumn(ref),
    onDelete: "cascade",
  });
  const columns: DesiredColumn[] = [
    { name: rel.sourceKey, type: "uuid", notNull: true },
    { name: rel.targetKey, type: "uuid", notNull: true },
    ...(source.tenantScoped ? [tenantColumn()] : []),
    SYSTEM_COLUMNS[SYSTEM_FIELDS.createdAt](),
  ];
  return {
    tables: [{ name: table, kind: "join", owner: `${source.name}.${rel.name}`, columns, primaryKey: [rel.sourceKey, rel.targetKey], rls: source.tenantScoped, grants: [...MODEL_GRANTS] }],
    foreignKeys: [fk(rel.sourceKey, source), fk(rel.targetKey, target)],
    // The primary key's leading column already indexes sourceKey.
    indexes: [{ name: foreignKeyIndexName(...names(rel.targetKey)), table, unique: false, method: "btree", keys: [q(rel.targetKey)] }],
    policies: source.tenantScoped ? [tenantPolicy(table, appRole)] : [],
    triggers: [],
  };
}

export function modelObjects(ir: SchemaIR, appRole: string): DesiredPart {
  const { fks, indexes: fkIndexes } = foreignKeys(ir);
  const joins = joinDeclarations(ir).map((j) => joinObjects(j, appRole));
  return {
    tables: [...ir.models.map(modelTable), ...joins.flatMap((j) => j.tables)],
    foreignKeys: [...fks, ...joins.flatMap((j) => j.foreignKeys)],
    indexes: [...fkIndexes, ...ir.models.flatMap(modelIndexes), ...joins.flatMap((j) => j.indexes)],
    policies: [...ir.models.filter((m) => m.tenantScoped).map((m) => tenantPolicy(m.tableName, appRole)), ...joins.flatMap((j) => j.policies)],
    triggers: [],
  };
}
