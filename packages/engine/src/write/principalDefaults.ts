// Defaults taken from the request (`default: "$principal.sub"` in the schema): a new record's owner
// is the user creating it unless the input names one. Applied on every create path — single and
// many creates, nested creates of a write tree, upserts that create, CSV rows — before the row rules
// check the new row, so a salesperson's deal is hers without picking herself.
import type { FieldIR, ModelIR } from "@tessera/schema";
import { UUID_PATTERN } from "@tessera/schema";
import type { RequestContext } from "../queryTypes.ts";
import type { FieldError } from "../EngineError.ts";

/** The value of a principal default for this request; undefined when the caller is not a user. */
export function principalDefault(field: FieldIR, ctx: RequestContext): string | undefined {
  if (field.defaultFrom !== "$principal.sub") return undefined;
  const principal = ctx.principal;
  // API keys (`apikey:<id>`) and the system API are nobody's user: the field stays unset.
  if (!principal || principal.kind !== "user" || !UUID_PATTERN.test(principal.sub)) return undefined;
  return principal.sub.toLowerCase();
}

/**
 * Sets each principal default the values leave out (a given value, null included, is kept). Returns
 * the required fields left unset because the caller is not a user (validation let them pass).
 */
export function applyPrincipalDefaults(model: ModelIR, values: Map<FieldIR, unknown>, ctx: RequestContext, prefix: (string | number)[] = ["data"]): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of model.fields) {
    if (field.defaultFrom === undefined || values.has(field)) continue;
    const value = principalDefault(field, ctx);
    if (value !== undefined) values.set(field, value);
    else if (field.required) errors.push({ path: [...prefix, field.name], message: `${field.name} is required: it defaults to the user creating the record, and this caller is not a user`, rule: "required" });
  }
  return errors;
}
