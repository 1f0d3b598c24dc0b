// The name others see in presence and locks ("Ana is editing Value"): the `name` of the principal's
// User record, read with the principal's own context (so a user the caller may not read stays
// nameless). Null for services, or schemas without a User model that has a `name`.
import { EngineError, type Engine, type RequestContext } from "@tessera/engine";

export type PrincipalNamer = (request: RequestContext) => Promise<string | null>;

export function userModelNamer(engine: Engine, modelName = "User", field = "name"): PrincipalNamer {
  const model = engine.schema.models.find((m) => m.name === modelName);
  if (!model || !model.fields.some((f) => f.name === field)) return async () => null;
  return async (request) => {
    const principal = request.principal;
    if (!principal || principal.kind !== "user") return null;
    try {
      const user = await engine.model(model.name).findUnique({ [model.primaryKey]: principal.sub }, request, { fields: [field] });
      const name = user?.[field];
      return typeof name === "string" ? name : null;
    } catch (error) {
      // A sub that is not a User id (another identity provider's subject), or a User the principal
      // may not read: no name, not an error. Anything else (the database) is.
      if (error instanceof EngineError && (error.code === "VALIDATION_FAILED" || error.code === "FORBIDDEN")) return null;
      throw error;
    }
  };
}
