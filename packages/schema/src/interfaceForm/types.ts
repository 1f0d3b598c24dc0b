// Type aliases for the interface form. They are plain aliases, so user code type-checks with
// ordinary values; the interface-form reader recognises them by name (imported from
// @tessera/schema) and maps each to its IR type.
import type { RawConfig, RawModel } from "../rawSchema.ts";

/** A primary or foreign key (uuid). IR type `id`. */
export type ID = string;
/** Long text. IR type `text` (plain `string` is IR `string`). */
export type Text = string;
/** Integer. IR type `int` (plain `number` is IR `float`). */
export type Int = number;
/** Floating point number. IR type `float`. */
export type Float = number;
/** Exact decimal, a string at run time to keep precision. IR type `decimal`. */
export type Decimal = string;
/** Money, numeric(19,4), a string at run time to keep precision. IR type `money`. */
export type Money = string;
/** Calendar date, `YYYY-MM-DD`. IR type `date`. */
export type DateOnly = string;
/** Timestamp with time zone, ISO-8601 string. IR type `datetime` (as is `Date`). */
export type DateTime = string;
/** Any JSON value. IR type `json`. */
export type Json = unknown;

type ReadonlyDeep<T> = T extends readonly (infer E)[]
  ? readonly ReadonlyDeep<E>[]
  : T extends object
    ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
    : T;

/** One entry of `schema.models` in the interface form; the fields come from the interface of the same name. */
export type InterfaceModel = ReadonlyDeep<Omit<RawModel, "fields">> & {
  /** Literal defaults per field (`.default(x)` in the DSL). */
  readonly defaults?: Readonly<Record<string, string | number | boolean | null>>;
  /** Column names per field (`.column(name)` in the DSL). */
  readonly columns?: Readonly<Record<string, string>>;
};

/** The shape of `export const schema = { models, config }` in the interface form (use with `satisfies`). */
export interface InterfaceSchema {
  readonly models: Readonly<Record<string, InterfaceModel>>;
  readonly config?: Readonly<RawConfig>;
}
