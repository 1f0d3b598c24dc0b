// The defineSchema DSL. Builders record a RawField and carry the TypeScript type of the value,
// so a model's record type is derived from its definition (RecordOf<typeof schema, "Deal">).

import type { FieldType, ScalarType, SchemaIR } from "./ir.ts";
import type { RawBelongsTo, RawConfig, RawField, RawHasMany, RawManyToMany, RawModel, RawSchema } from "./rawSchema.ts";
import { normaliseSchema } from "./normaliseSchema.ts";
import { splitRules } from "./parseRule.ts";

export interface EnumDef<V extends string = string> {
  readonly kind: "enum";
  readonly name: string;
  readonly values: readonly V[];
}

/** Declares a named enum; it becomes a PostgreSQL enum type and a GraphQL enum with the same values. */
export function defineEnum<const V extends string>(name: string, values: readonly V[]): EnumDef<V> {
  return { kind: "enum", name, values };
}

export class FieldBuilder<T, Req extends boolean = false> {
  /** Phantom members carrying the inferred type; never read at run time. */
  declare readonly __type: T;
  declare readonly __required: Req;
  constructor(
    readonly raw: RawField,
    readonly enumDef?: EnumDef,
  ) {}

  private with(patch: Partial<RawField>): this {
    return new FieldBuilder({ ...this.raw, ...patch }, this.enumDef) as this;
  }
  private rule(rule: string): this {
    return this.with({ rules: [...(this.raw.rules ?? []), rule] });
  }

  required(): FieldBuilder<T, true> {
    return new FieldBuilder<T, true>({ ...this.raw, required: true }, this.enumDef);
  }
  default(value: T & (string | number | boolean)): this {
    return this.with({ default: value });
  }
  column(name: string): this {
    return this.with({ column: name });
  }
  min(n: number): this {
    return this.rule(`min:${n}`);
  }
  max(n: number): this {
    return this.rule(`max:${n}`);
  }
  email(): this {
    return this.rule("email");
  }
  url(): this {
    return this.rule("url");
  }
  numeric(): this {
    return this.rule("numeric");
  }
  unique(): this {
    return this.rule("unique");
  }
  in(...values: string[]): this {
    return this.rule(`in:${values.join(",")}`);
  }
  regex(pattern: string): this {
    return this.rule(`regex:${pattern}`);
  }
  exists(table: string, column: string): this {
    return this.rule(`exists:${table},${column}`);
  }
  /** Rules in the `validation` string syntax, e.g. `"required|max:255"`. */
  rules(spec: string): FieldBuilder<T, Req> {
    const parts = splitRules(spec); // not split("|"): a regex may contain "|"
    const required = parts.includes("required");
    const rules = parts.filter((p) => p !== "required");
    return new FieldBuilder<T, Req>(
      { ...this.raw, required: this.raw.required || required, rules: [...(this.raw.rules ?? []), ...rules] },
      this.enumDef,
    );
  }
}

const scalar = <T>(type: ScalarType) => (): FieldBuilder<T> => new FieldBuilder<T>({ type });

/** Field constructors. Every field is optional (nullable) until `.required()`. */
export const f = {
  id: scalar<string>("id"),
  string: scalar<string>("string"),
  text: scalar<string>("text"),
  int: scalar<number>("int"),
  float: scalar<number>("float"),
  /** Exact decimal, returned as a string to keep precision. */
  decimal: scalar<string>("decimal"),
  /** Money: numeric(19,4), returned as a string to keep precision. */
  money: scalar<string>("money"),
  boolean: scalar<boolean>("boolean"),
  /** Calendar date, `YYYY-MM-DD`. */
  date: scalar<string>("date"),
  /** Timestamp with time zone, ISO-8601 string. */
  datetime: scalar<string>("datetime"),
  json: scalar<unknown>("json"),
  enum: <V extends string>(def: EnumDef<V>): FieldBuilder<V> => new FieldBuilder<V>({ type: "enum", enum: def.name }, def as EnumDef),
  array: <T>(items: FieldBuilder<T>): FieldBuilder<T[], true> => {
    const type = items.raw.type;
    if (type === "array") throw new Error("arrays of arrays are not supported");
    return new FieldBuilder<T[], true>(
      { type: "array", items: type as ScalarType | "enum", required: true, ...(items.raw.enum ? { enum: items.raw.enum } : {}) },
      items.enumDef,
    );
  },
};

export function belongsTo(model: string, options: { foreignKey: string; onDelete?: RawBelongsTo["onDelete"] }): RawBelongsTo {
  return { type: "belongsTo", model, ...options };
}
export function hasMany(model: string, options: { foreignKey: string }): RawHasMany {
  return { type: "hasMany", model, ...options };
}
export function manyToMany(model: string, options: { through: string; sourceKey?: string; targetKey?: string }): RawManyToMany {
  return { type: "manyToMany", model, ...options };
}

export type FieldsInput = Record<string, FieldBuilder<unknown, boolean>>;

export interface ModelInput<F extends FieldsInput> extends Omit<RawModel, "fields"> {
  fields: F;
}

export interface SchemaInput<M extends Record<string, ModelInput<FieldsInput>>> {
  models: M;
  config?: RawConfig;
}

type RequiredKeys<F> = { [K in keyof F]: F[K] extends FieldBuilder<unknown, true> ? K : never }[keyof F];
type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;
type ValueOf<B> = B extends FieldBuilder<infer T, boolean> ? T : never;

/** The record type of a model: required fields are present, the rest may be null. */
export type RecordOfFields<F> = { id: string; version: number; createdAt: string; updatedAt: string; deletedAt: string | null } & {
  [K in RequiredKeys<F>]: ValueOf<F[K]>;
} & { [K in OptionalKeys<F>]: ValueOf<F[K]> | null };

export interface DefinedSchema<M extends Record<string, ModelInput<FieldsInput>>> {
  readonly kind: "tessera-schema";
  readonly raw: RawSchema;
  readonly ir: SchemaIR;
  /** Phantom: the models as written, for type inference only. */
  readonly models: M;
}

export type RecordOf<S, Name extends string> =
  S extends DefinedSchema<infer M> ? (Name extends keyof M ? RecordOfFields<M[Name]["fields"]> : never) : never;

/** Declares a model; an identity function that keeps the field types for inference. */
export function model<const F extends FieldsInput>(input: ModelInput<F>): ModelInput<F> {
  return input;
}

/**
 * Declares a schema. Normalises and validates eagerly, so a bad schema fails when the module
 * is imported, with a SchemaLoadError naming model and key.
 */
export function defineSchema<const M extends Record<string, ModelInput<FieldsInput>>>(input: SchemaInput<M>): DefinedSchema<M> {
  const enums: Record<string, readonly string[]> = {};
  const models: Record<string, RawModel> = {};
  for (const [name, modelInput] of Object.entries(input.models)) {
    const { fields, ...rest } = modelInput;
    const rawFields: Record<string, RawField> = {};
    for (const [fieldName, builder] of Object.entries(fields ?? {})) {
      if (!(builder instanceof FieldBuilder)) {
        // Let the normaliser report it with model and key rather than crash here.
        rawFields[fieldName] = builder as unknown as RawField;
        continue;
      }
      rawFields[fieldName] = builder.raw;
      const def = builder.enumDef;
      if (def) {
        const existing = enums[def.name];
        if (existing && existing.join("|") !== def.values.join("|")) {
          throw new Error(`enum '${def.name}' is declared twice with different values`);
        }
        enums[def.name] = def.values;
      }
    }
    models[name] = { ...rest, fields: rawFields };
  }
  // Keys other than models/config are passed on so the normaliser reports them, never dropped.
  const { models: _declared, config, ...extra } = input as SchemaInput<M> & Record<string, unknown>;
  const raw: RawSchema = { ...extra, models, enums, ...(config ? { config } : {}) };
  return { kind: "tessera-schema", raw, ir: normaliseSchema(raw), models: input.models };
}

export type { FieldType };
