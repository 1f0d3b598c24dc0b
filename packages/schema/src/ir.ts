// The Schema IR: the validated, normalised description every other package derives from.
// Both schema forms (the defineSchema DSL and the interface form) produce exactly this shape,
// so two schemas are equal when their IR is deep-equal. Keep it plain data (JSON-serialisable).

export type ScalarType =
  | "id"
  | "string"
  | "text"
  | "int"
  | "float"
  | "decimal"
  | "money"
  | "boolean"
  | "date"
  | "datetime"
  | "json";

export type FieldType = ScalarType | "enum" | "array";

export type RuleIR =
  | { kind: "required" }
  | { kind: "min"; value: number }
  | { kind: "max"; value: number }
  | { kind: "email" }
  | { kind: "url" }
  | { kind: "numeric" }
  | { kind: "in"; values: string[] }
  | { kind: "regex"; pattern: string }
  | { kind: "unique" }
  | { kind: "exists"; table: string; column: string };

export type RuleKind = RuleIR["kind"];

export interface FieldIR {
  name: string;
  column: string;
  type: FieldType;
  /** NOT NULL in the database and required on create. */
  required: boolean;
  /** For enum fields: the enum's name in `SchemaIR.enums`. */
  enum?: string;
  /** For array fields: the element type (a scalar or "enum"). */
  items?: { type: ScalarType | "enum"; enum?: string };
  /** A literal default applied by the database. */
  default?: string | number | boolean | null;
  /** Validation rules other than `required` (which is the `required` flag), in declaration order. */
  rules: RuleIR[];
  /** Set by the engine, not writable through the API (primary key, system timestamps, tenant). */
  system: boolean;
}

export type RelationKind = "belongsTo" | "hasMany" | "manyToMany";

export interface BelongsToIR {
  kind: "belongsTo";
  name: string;
  target: string;
  /** Field on this model holding the target's primary key. */
  foreignKey: string;
  onDelete: "restrict" | "cascade" | "set null";
}

export interface HasManyIR {
  kind: "hasMany";
  name: string;
  target: string;
  /** Field on the target model pointing back to this model. */
  foreignKey: string;
}

export interface ManyToManyIR {
  kind: "manyToMany";
  name: string;
  target: string;
  /** The join table, created by migrations. */
  through: string;
  /** Column in `through` pointing to this model. */
  sourceKey: string;
  /** Column in `through` pointing to the target. */
  targetKey: string;
}

export type RelationIR = BelongsToIR | HasManyIR | ManyToManyIR;

/** `"sales|manager|admin"`, `"authenticated"` or `"public"`, normalised to a lower-case role list. */
export interface AccessIR {
  read: string[];
  create: string[];
  update: string[];
  delete: string[];
}

export interface IndexIR {
  name: string;
  fields: string[];
  unique: boolean;
}

export interface UiIR {
  displayField: string;
  listView: string[];
  editForm: string[];
}

export interface ModelIR {
  name: string;
  /** camelCase plural used for API names (`companies`). */
  plural: string;
  tableName: string;
  primaryKey: string;
  /** Declared and system fields, in a stable order: primary key, declared fields, system fields. */
  fields: FieldIR[];
  relations: RelationIR[];
  searchable: string[];
  access: AccessIR;
  ui: UiIR;
  indexes: IndexIR[];
  /** Tenant-scoped models carry `tenant_id` and row-level-security policies. */
  tenantScoped: boolean;
}

export interface EnumIR {
  name: string;
  values: string[];
}

export interface ConfigIR {
  auditLog: boolean;
  softDeletes: boolean;
  defaultPageSize: number;
  maxPageSize: number;
  subscriptions: boolean;
}

export interface SchemaIR {
  models: ModelIR[];
  enums: EnumIR[];
  config: ConfigIR;
}

/** Column names of the system fields every model carries. */
export const SYSTEM_FIELDS = {
  tenantId: "tenant_id",
  version: "version",
  createdAt: "created_at",
  updatedAt: "updated_at",
  deletedAt: "deleted_at",
} as const;

export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(SYSTEM_FIELDS),
  "__typename",
  "cursor",
]);
