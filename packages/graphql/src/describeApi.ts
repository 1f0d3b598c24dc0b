// What a schema-driven client (the admin UI) needs to know about the API, for one principal:
// every model's GraphQL names, its fields with types, enum values, rules and filter operators,
// its relationships, its ui hints, and what this principal may do. Fields the principal may not
// read are left out, so a client can never offer a column, filter or input the API would refuse.
import { Authorizer, EngineError, type RequestContext } from "@tessera/engine";
import { type AccessAction, type BelongsToIR, type FieldIR, type RelationIR, type RuleIR, type SchemaIR } from "@tessera/schema";
import { apiFields, filterOperators, isGroupable, isSortable, isUnique, type FilterOperator } from "./modelFields.ts";
import { modelNames } from "./names.ts";

export interface FieldDescription {
  name: string;
  type: FieldIR["type"];
  required: boolean;
  /** Set by the engine (id, version, timestamps): shown, never edited. */
  system: boolean;
  unique: boolean;
  /** Enum values (for enum fields and arrays of enums), in declaration order. */
  values?: string[];
  items?: { type: string; values?: string[] };
  default?: string | number | boolean | null;
  rules: RuleIR[];
  writable: boolean;
  sortable: boolean;
  groupable: boolean;
  operators: FilterOperator[];
  /** The belongsTo relationship this foreign key backs (`companyId` → company → Company). */
  references?: { relation: string; model: string };
}

export interface RelationDescription {
  name: string;
  kind: RelationIR["kind"];
  model: string;
  /** belongsTo: the field on this model; hasMany: the field on the target pointing back. */
  foreignKey?: string;
}

export interface ModelDescription {
  name: string;
  plural: string;
  primaryKey: string;
  api: ReturnType<typeof modelNames>;
  /** The first of `displayFields`. */
  displayField: string;
  /** The fields naming a record; a client joins their values with a space ("Ada Lovelace"). */
  displayFields: string[];
  /** Column fields. A belongsTo relationship named in the schema's listView is given as its foreign key, which a client shows as the related record's display name. */
  listView: string[];
  editForm: string[];
  searchable: string[];
  tenantScoped: boolean;
  /** Whether the role matrix and policies allow the action at all (row rules may still narrow it). */
  can: Record<AccessAction, boolean>;
  fields: FieldDescription[];
  relations: RelationDescription[];
}

export interface ApiDescription {
  principal: { sub: string; roles: string[]; tenantId: string | null; kind: string } | null;
  config: { softDeletes: boolean; auditLog: boolean; defaultPageSize: number; maxPageSize: number; subscriptions: boolean };
  models: ModelDescription[];
}

const ACTIONS: readonly AccessAction[] = ["read", "create", "update", "delete"];

export function describeApi(ir: SchemaIR, request: RequestContext): ApiDescription {
  const authorizer = new Authorizer(ir, request);
  const enumValues = (name: string | undefined): string[] | undefined => ir.enums.find((e) => e.name === name)?.values;
  const models = ir.models.map((model): ModelDescription => {
    const can = Object.fromEntries(ACTIONS.map((a) => [a, !(authorizer.decide(model, a) instanceof EngineError)])) as Record<AccessAction, boolean>;
    const readable = new Set(apiFields(model).filter((f) => authorizer.canReadField(model, f)).map((f) => f.name));
    const foreignKeys = new Map<string, { relation: string; model: string }>();
    for (const rel of model.relations) if (rel.kind === "belongsTo") foreignKeys.set(rel.foreignKey, { relation: rel.name, model: rel.target });
    const fields = apiFields(model)
      .filter((f) => readable.has(f.name))
      .map((field): FieldDescription => {
        const values = field.type === "enum" ? enumValues(field.enum) : undefined;
        const itemValues = field.items?.type === "enum" ? enumValues(field.items.enum) : undefined;
        const references = foreignKeys.get(field.name);
        return {
          name: field.name,
          type: field.type,
          required: field.required,
          system: field.system,
          unique: isUnique(model, field),
          ...(values ? { values } : {}),
          ...(field.items ? { items: { type: field.items.type, ...(itemValues ? { values: itemValues } : {}) } } : {}),
          ...(field.default !== undefined ? { default: field.default } : {}),
          ...(field.defaultFrom !== undefined ? { defaultFrom: field.defaultFrom } : {}),
          rules: field.rules,
          writable: !field.system && authorizer.canWriteField(model, field),
          sortable: isSortable(field),
          groupable: isGroupable(field),
          operators: filterOperators(field),
          ...(references ? { references } : {}),
        };
      });
    const onlyReadable = (names: readonly string[]): string[] => names.filter((n) => readable.has(n));
    // ui.listView may name belongsTo relationships; clients render columns from fields, and a foreign
    // key field already shows the related record by its display name, so the relationship becomes its key.
    const columnFields = (names: readonly string[]): string[] => [
      ...new Set(names.map((n) => model.relations.find((r): r is BelongsToIR => r.name === n && r.kind === "belongsTo")?.foreignKey ?? n)),
    ];
    return {
      name: model.name,
      plural: model.plural,
      primaryKey: model.primaryKey,
      api: modelNames(model),
      displayField: model.ui.displayField,
      displayFields: [...model.ui.displayFields],
      listView: onlyReadable(columnFields(model.ui.listView)),
      editForm: onlyReadable(model.ui.editForm),
      searchable: onlyReadable(model.searchable),
      tenantScoped: model.tenantScoped,
      can,
      fields,
      relations: model.relations.map((rel) => ({
        name: rel.name,
        kind: rel.kind,
        model: rel.target,
        ...(rel.kind === "manyToMany" ? {} : { foreignKey: rel.foreignKey }),
      })),
    };
  });
  const principal = request.principal;
  return {
    principal: principal ? { sub: principal.sub, roles: [...principal.roles], tenantId: request.tenantId ?? null, kind: principal.kind } : null,
    config: {
      softDeletes: ir.config.softDeletes,
      auditLog: ir.config.auditLog,
      defaultPageSize: ir.config.defaultPageSize,
      maxPageSize: ir.config.maxPageSize,
      subscriptions: ir.config.subscriptions,
    },
    models,
  };
}

