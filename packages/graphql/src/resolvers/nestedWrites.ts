// Create/update data with nested relationship inputs → the engine's write tree (Engine.write).
// The GraphQL input shape is the tree's own (belongsTo { create | connect | disconnect }, hasMany
// { create, connect, disconnect } lists), so create and update hand the arguments over as they are,
// with the selection to read back. The engine runs the whole tree in ONE transaction: every record
// validated once, authorised, written with its event, and the selection read back — or, on any
// failure (a unique value, a missing reference, a row rule, a stale version), nothing at all.
//
// Upsert is one engine call (Repository.upsert), not a tree: it takes only the inputs that become a
// foreign key (connect, disconnect); a connect by a field other than the id is one read before it.
import { EngineError, validationFailed, type Engine, type FieldError, type RecordData, type RequestContext, type Selection, type Where } from "@tessera/engine";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import { primaryKey } from "../modelFields.ts";
import { asObject, type Data } from "./guarded.ts";

type Path = (string | number)[];

export class NestedWriter {
  constructor(
    private readonly engine: Engine,
    private readonly ir: SchemaIR,
    private readonly request: RequestContext,
  ) {}

  /** The created record, or as read back with `select` (null when the principal may not read it). */
  create(model: ModelIR, data: Data, select: Selection | undefined): Promise<RecordData | null> {
    return this.engine.write({ model: model.name, create: data, ...(select ? { select } : {}) }, this.request);
  }

  update(model: ModelIR, where: Where, data: Data, expectedVersion: number | undefined, select: Selection | undefined): Promise<RecordData | null> {
    const update = { where, data, ...(expectedVersion === undefined ? {} : { expectedVersion }) };
    return this.engine.write({ model: model.name, update, ...(select ? { select } : {}) }, this.request);
  }

  /** Upsert is one engine write: only nested inputs that become a foreign key (connect, disconnect) are accepted. */
  async upsert(model: ModelIR, where: Where, create: Data, update: Data): Promise<RecordData> {
    const errors: FieldError[] = [];
    const branches = [
      { path: ["upsert", "create"], data: create, values: {} as Data, connects: [] as { target: string; foreignKey: string; where: Data; path: Path }[] },
      { path: ["upsert", "update"], data: update, values: {} as Data, connects: [] as { target: string; foreignKey: string; where: Data; path: Path }[] },
    ];
    for (const branch of branches) {
      for (const [key, value] of Object.entries(branch.data)) {
        if (value === undefined) continue;
        const relation = model.relations.find((r) => r.name === key);
        if (!relation) {
          branch.values[key] = value;
          continue;
        }
        const path = [...branch.path, key];
        const input = asObject(value);
        if (relation.kind !== "belongsTo") {
          errors.push({ path, rule: "unsupported", message: "to-many relationship inputs are not available in upsert; use create or update" });
        } else if (!input) {
          errors.push({ path, rule: "type", message: "give { connect } or { disconnect: true }" });
        } else if (input.create !== undefined && input.create !== null) {
          errors.push({ path: [...path, "create"], rule: "unsupported", message: "nested create is not available in upsert; use connect, or create first" });
        } else if (branch.data[relation.foreignKey] !== undefined) {
          errors.push({ path, rule: "conflict", message: `give either ${relation.foreignKey} or ${key}, not both` });
        } else {
          const connect = asObject(input.connect);
          if (connect) branch.connects.push({ target: relation.target, foreignKey: relation.foreignKey, where: connect, path: [...path, "connect"] });
          else if (input.disconnect === true) branch.values[relation.foreignKey] = null;
        }
      }
    }
    if (errors.length > 0) throw validationFailed(errors);
    for (const branch of branches) {
      for (const connect of branch.connects) {
        const target = this.ir.models.find((m) => m.name === connect.target);
        if (!target) throw new EngineError("INTERNAL", `a relationship of ${model.name} targets unknown model ${connect.target}`);
        branch.values[connect.foreignKey] = await this.resolveId(target, connect.where, connect.path);
      }
    }
    return this.engine.model(model.name).upsert(where, { create: branches[0].values, update: branches[1].values }, this.request);
  }

  /** The id of the record a unique where names: given directly for the primary key, else one read. */
  private async resolveId(target: ModelIR, where: Data, path: Path): Promise<string> {
    const pk = primaryKey(target).name;
    const keys = Object.keys(where).filter((k) => where[k] !== undefined && where[k] !== null);
    if (keys.length === 1 && keys[0] === pk && typeof where[pk] === "string") return where[pk] as string;
    const found = await this.engine.model(target.name).findUnique(where, this.request, { fields: [pk] });
    if (!found) throw validationFailed([{ path, rule: "exists", message: `no ${target.name} matches ${JSON.stringify(where)}` }]);
    return String(found[pk]);
  }
}
