// The raw, unvalidated shape both schema forms produce before normalisation.
// The DSL builds it with typed helpers; the interface form reads it from TypeScript source.
// `normaliseSchema` is the only consumer: it validates every key and turns it into the IR.

import type { FieldType, ScalarType } from "./ir.ts";

export interface RawField {
  type: FieldType;
  required?: boolean;
  /** Enum fields and enum arrays: the enum's name (declared in `RawSchema.enums`). */
  enum?: string;
  /** Array fields: the element type. */
  items?: ScalarType | "enum";
  default?: string | number | boolean | null;
  /** Rule strings in the `validation` syntax: "max:255", "email", "exists:companies,id". */
  rules?: string[];
  column?: string;
}

export interface RawBelongsTo {
  type: "belongsTo";
  model: string;
  foreignKey: string;
  onDelete?: "restrict" | "cascade" | "set null";
}
export interface RawHasMany {
  type: "hasMany";
  model: string;
  foreignKey: string;
}
export interface RawManyToMany {
  type: "manyToMany";
  model: string;
  through: string;
  sourceKey?: string;
  targetKey?: string;
}
export type RawRelationship = RawBelongsTo | RawHasMany | RawManyToMany;

export interface RawIndex {
  fields: string[];
  unique?: boolean;
  name?: string;
}

export type RawAccess = Partial<Record<"read" | "create" | "update" | "delete", string>>;

/** `{ roles: "sales", where: { ownerId: "$principal.sub" } }`. */
export interface RawRowRule {
  roles: string;
  where: { [key: string]: unknown };
}

export type RawRowRules = Partial<Record<"read" | "update" | "delete", RawRowRule[]>>;

/** `{ annualRevenue: { read: "manager|admin" } }`. */
export type RawFieldAccess = Record<string, { read?: string; write?: string }>;

export interface RawPolicy {
  effect: "allow" | "deny";
  actions: string[];
  resources: string[];
  roles?: string;
  when?: { [key: string]: unknown };
}

export interface RawUi {
  /** One field, or several joined with a space: `["firstName", "lastName"]`. */
  displayField?: string | readonly string[];
  /** Field names, or belongsTo relationship names. */
  listView?: string[];
  editForm?: string[];
}

export interface RawModel {
  fields: Record<string, RawField>;
  tableName?: string;
  plural?: string;
  primaryKey?: string;
  searchable?: string[];
  access?: RawAccess;
  rowRules?: RawRowRules;
  fieldAccess?: RawFieldAccess;
  relationships?: Record<string, RawRelationship>;
  /** `{ field: "required|max:255" }` or `{ field: ["required", "max:255"] }`. */
  validation?: Record<string, string | string[]>;
  ui?: RawUi;
  indexes?: RawIndex[];
  tenantScoped?: boolean;
}

export interface RawConfig {
  auditLog?: boolean;
  softDeletes?: boolean;
  defaultPageSize?: number;
  maxPageSize?: number;
  subscriptions?: boolean;
  /** Prefix of permission names (default "crm"). */
  permissionPrefix?: string;
  policies?: RawPolicy[];
}

export interface RawSchema {
  models: Record<string, RawModel>;
  enums?: Record<string, readonly string[]>;
  config?: RawConfig;
}
