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
  | { kind: "exists"; table: string; column: string }
  /**
   * `required_if:stage,won,lost`: the field must have a value (a non-empty string, a non-empty list)
   * whenever `field` of the same row holds one of `values`. Checked on the row as it will be stored,
   * inside the write's statement, because a partial update only knows half of the row.
   */
  | { kind: "required_if"; field: string; values: string[] };

export type RuleKind = RuleIR["kind"];

/** The request values a field may default to. */
export type PrincipalDefault = "$principal.sub";
export const PRINCIPAL_DEFAULTS: readonly PrincipalDefault[] = ["$principal.sub"];

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
  /**
   * A default taken from the request on create, written in the schema as `default: "$principal.sub"`:
   * the creating user's id (an owner field). Applied by the engine on every create path; a caller
   * that is not a user (the system API, an API key) leaves the field unset.
   */
  defaultFrom?: PrincipalDefault;
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

/**
 * A filter in the API's where language (see the engine's `Where`), stored as plain JSON. In row rules
 * and policy conditions a value may be a principal placeholder: "$principal.sub", "$principal.teams"
 * (a list) or "$principal.tenantId".
 */
export type WhereIR = { [key: string]: unknown };

/** Actions of the role matrix, row rules and permission names. */
export type AccessAction = "read" | "create" | "update" | "delete";

/** Rows the principal's `roles` may act on: those matching `where`. */
export interface RowRuleIR {
  /** Lower-case role names (may include "authenticated" or "public"). */
  roles: string[];
  where: WhereIR;
}

/** Row rules per action; an empty list means the action has no row rule for any role. */
export interface RowRulesIR {
  read: RowRuleIR[];
  update: RowRuleIR[];
  delete: RowRuleIR[];
}

/**
 * Who may read and write one field, on top of the model's role matrix. `["public"]` means no
 * restriction; `write` defaults to `read` (a field one cannot read cannot be written).
 */
export interface FieldAccessIR {
  field: string;
  read: string[];
  write: string[];
}

/** A fine-grained policy (config.policies), evaluated deny-overrides. */
export interface PolicyIR {
  effect: "allow" | "deny";
  /** Actions, or ["*"] for every action. */
  actions: (AccessAction | "*")[];
  /** Permission-name patterns with `*` wildcards: "crm.deal", "crm.*", "crm.deal.delete". */
  resources: string[];
  /** Lower-case roles the policy applies to; null = every principal (allow policies: every authenticated one). */
  roles: string[] | null;
  /** A condition on the record; null = unconditional. */
  when: WhereIR | null;
}

export interface IndexIR {
  name: string;
  fields: string[];
  unique: boolean;
}

export interface UiIR {
  /** The first of `displayFields`; kept so readers of a single display field need no change. */
  displayField: string;
  /** The fields naming a record, joined with a space ("Ada Lovelace"); one or more. */
  displayFields: string[];
  /** Columns of the list: field names, or belongsTo relationship names (shown as the related record's display fields). */
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
  /** Row rules narrowing the role matrix per role (owner, team, predicates on the principal). */
  rowRules: RowRulesIR;
  /** Field-level read/write roles, only for fields that declare them, in declaration order. */
  fieldAccess: FieldAccessIR[];
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
  /** Prefix of permission names: `<prefix>.<model lower-case>.<action>`. */
  permissionPrefix: string;
  policies: PolicyIR[];
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
