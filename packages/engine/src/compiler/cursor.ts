// Opaque cursors (base64url JSON of a row's sort-key values and primary key) and the keyset
// predicates that continue an order after or before such a row, NULL-aware.
import type { CompileContext } from "./CompileContext.ts";
import { coerceValue } from "./coerceValue.ts";
import { orderSignature, sortKeySql, type SortKey } from "./compileOrderBy.ts";
import { elementType, sqlTypeOf } from "./sqlTypes.ts";

/** Text forms of a row's sort-key values (see cursorValueSql), in key order; NULL as null. */
export type CursorValues = (string | null)[];

interface CursorPayload {
  o: string;
  v: CursorValues;
}

export function encodeCursor(keys: readonly SortKey[], values: CursorValues): string {
  const payload: CursorPayload = { o: orderSignature(keys), v: values };
  return Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
}

/** Decodes and validates a cursor for this order; records a VALIDATION_FAILED error when malformed. */
export function decodeCursor(cc: CompileContext, keys: readonly SortKey[], cursor: unknown, path: (string | number)[]): CursorValues | undefined {
  const invalid = (message: string): undefined => {
    cc.error(path, "cursor", message);
    return undefined;
  };
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]+$/.test(cursor)) return invalid("is not a valid cursor");
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return invalid("is not a valid cursor");
  }
  if (typeof payload !== "object" || payload === null) return invalid("is not a valid cursor");
  const { o, v } = payload as Partial<CursorPayload>;
  if (!Array.isArray(v) || v.length !== keys.length || typeof o !== "string") return invalid("is not a valid cursor");
  if (o !== orderSignature(keys)) return invalid("was made for a different orderBy");
  for (let i = 0; i < keys.length; i++) {
    const value: unknown = v[i];
    if (value === null && i === keys.length - 1) return invalid("is not a valid cursor");
    if (value === null) continue;
    if (typeof value !== "string") return invalid("is not a valid cursor");
    if (!coerceValue(cc.schema, elementType(keys[i].field), value, true).ok) return invalid("is not a valid cursor");
  }
  return v as CursorValues;
}

/**
 * Rows strictly after (or before) the cursor row in the order of `keys`, or also the cursor row
 * itself when `inclusive`. NULL is the largest value (ASC NULLS LAST / DESC NULLS FIRST), and
 * since cursor values are known while compiling, each NULL case becomes plain SQL.
 */
export function keysetPredicate(
  cc: CompileContext,
  keys: readonly SortKey[],
  alias: string,
  values: CursorValues,
  side: "after" | "before",
  inclusive = false,
): string {
  const bound = values.map((value, i) => (value === null ? null : cc.params.typed(value, sqlTypeOf(elementType(keys[i].field)))));
  const equal = (i: number): string => {
    const column = sortKeySql(keys[i], alias);
    const placeholder = bound[i];
    return placeholder === null ? `${column} IS NULL` : `${column} = ${placeholder}`;
  };
  /** Strictly beyond the cursor on key i in the direction of travel; undefined when nothing can be. */
  const beyond = (i: number): string | undefined => {
    const key = keys[i];
    const column = sortKeySql(key, alias);
    const placeholder = bound[i];
    const towardsLarger = (key.direction === "ASC") === (side === "after");
    if (towardsLarger) {
      if (placeholder === null) return undefined; // nothing is larger than NULL
      return key.field.required ? `${column} > ${placeholder}` : `(${column} > ${placeholder} OR ${column} IS NULL)`;
    }
    if (placeholder === null) return `${column} IS NOT NULL`;
    return `${column} < ${placeholder}`;
  };
  const terms: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const strict = beyond(i);
    if (strict === undefined) continue;
    const prefix = keys.slice(0, i).map((_, j) => equal(j));
    terms.push([...prefix, strict].join(" AND "));
  }
  if (inclusive) terms.push(keys.map((_, i) => equal(i)).join(" AND "));
  if (terms.length === 0) return "FALSE";
  return terms.map((t) => `(${t})`).join(" OR ");
}
