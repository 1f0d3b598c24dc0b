// Create/update data with nested relationship inputs, carried out through engine repositories.
// The engine has no multi-call transaction API, so a nested write is a sequence of engine writes,
// each atomic on its own:
//   belongsTo connect {id} / disconnect → the foreign key in the same write (atomic);
//   belongsTo connect by another unique field → one read, then the write;
//   belongsTo create → the related record is created first, then the record with its key;
//   hasMany create/connect/disconnect → after the record's write, one write per related record.
// The whole input tree is validated (types, required fields, rules) before the first write, so
// what can still fail half-way is only what needs the database: unique values, references,
// authorisation, concurrent changes. Records written before such a failure stay written.
import { EngineError, notFound, validateInput, validationFailed, type Engine, type FieldError, type RecordData, type RequestContext, type Where } from "@tessera/engine";
import type { BelongsToIR, HasManyIR, ModelIR, RelationIR, SchemaIR } from "@tessera/schema";
import { primaryKey } from "../modelFields.ts";
import { asObject, type Data } from "./guarded.ts";

type Path = (string | number)[];

/** Stands in for keys a nested write fills in later, so validation can run before any write. */
const PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000";

interface ToOne {
  relation: BelongsToIR;
  input: Data;
}

interface ToMany {
  relation: HasManyIR;
  input: Data;
}

interface SplitData {
  values: Data;
  toOne: ToOne[];
  toMany: ToMany[];
  errors: FieldError[];
}

/** The foreign key a parent's hasMany sets on a nested child. */
interface ParentLink {
  foreignKey: string;
  id: string;
}

function remapPaths(error: unknown, dataPath: Path, wherePath: Path): unknown {
  if (!(error instanceof EngineError) || error.fieldErrors.length === 0) return error;
  const mapped = error.fieldErrors.map((e) => {
    const [head, ...rest] = e.path;
    if (head === "data") return { ...e, path: [...dataPath, ...rest] };
    if (head === "where") return { ...e, path: [...wherePath, ...rest] };
    return e;
  });
  return error.code === "VALIDATION_FAILED" ? validationFailed(mapped) : new EngineError(error.code, error.message, mapped);
}

export class NestedWriter {
  constructor(
    private readonly engine: Engine,
    private readonly ir: SchemaIR,
    private readonly request: RequestContext,
  ) {}

  // ---------- entry points ----------

  async create(model: ModelIR, data: Data, path: Path = ["data"]): Promise<RecordData> {
    if (this.isNested(model, data)) this.throwIfInvalid(this.prevalidate(model, data, "create", path, undefined));
    return this.createNode(model, data, path, undefined);
  }

  async update(model: ModelIR, where: Where, data: Data, expectedVersion: number | undefined): Promise<RecordData> {
    if (this.isNested(model, data)) this.throwIfInvalid(this.prevalidate(model, data, "update", ["data"], undefined));
    return this.updateNode(model, where, data, ["data"], expectedVersion);
  }

  /** Upsert is one engine write: only nested inputs that become a foreign key (connect, disconnect) are accepted. */
  async upsert(model: ModelIR, where: Where, create: Data, update: Data): Promise<RecordData> {
    const errors: FieldError[] = [];
    const prepared: Data[] = [];
    for (const [branch, data] of [["create", create], ["update", update]] as const) {
      const path = ["upsert", branch];
      const split = this.split(model, data, path, undefined);
      errors.push(...split.errors);
      for (const { relation } of split.toMany) {
        errors.push({ path: [...path, relation.name], rule: "unsupported", message: "to-many relationship inputs are not available in upsert; use create or update" });
      }
      for (const { relation, input } of split.toOne) {
        if (input.create !== undefined && input.create !== null) {
          errors.push({ path: [...path, relation.name, "create"], rule: "unsupported", message: "nested create is not available in upsert; use connect, or create first" });
        }
      }
      prepared.push(split.values);
    }
    this.throwIfInvalid(errors);
    for (const [i, data] of [create, update].entries()) {
      const path = ["upsert", i === 0 ? "create" : "update"];
      const split = this.split(model, data, path, undefined);
      for (const toOne of split.toOne) {
        const key = await this.resolveToOne(toOne, [...path, toOne.relation.name]);
        if (key !== undefined) prepared[i][toOne.relation.foreignKey] = key;
      }
    }
    return this.engine.model(model.name).upsert(where, { create: prepared[0], update: prepared[1] }, this.request);
  }

  // ---------- splitting and validation ----------

  private relationOf(model: ModelIR, key: string): RelationIR | undefined {
    return model.relations.find((r) => r.name === key);
  }

  private target(relation: RelationIR): ModelIR {
    const target = this.ir.models.find((m) => m.name === relation.target);
    if (!target) throw new EngineError("INTERNAL", `relationship ${relation.name} targets unknown model ${relation.target}`);
    return target;
  }

  private isNested(model: ModelIR, data: Data): boolean {
    return Object.keys(data).some((key) => this.relationOf(model, key) !== undefined);
  }

  private split(model: ModelIR, data: Data, path: Path, parent: { foreignKey: string } | undefined): SplitData {
    const out: SplitData = { values: {}, toOne: [], toMany: [], errors: [] };
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined) continue;
      const relation = this.relationOf(model, key);
      if (!relation) {
        out.values[key] = value;
        continue;
      }
      const input = asObject(value);
      if (!input) {
        out.errors.push({ path: [...path, key], rule: "type", message: `give ${relation.kind === "belongsTo" ? "{ connect }, { create } or { disconnect: true }" : "{ create, connect, disconnect } lists"}` });
        continue;
      }
      if (relation.kind === "belongsTo") {
        const given = ["create", "connect", "disconnect"].filter((k) => input[k] !== undefined && input[k] !== null);
        if (given.length !== 1) {
          out.errors.push({ path: [...path, key], rule: "type", message: "give exactly one of connect, create, disconnect" });
          continue;
        }
        if (data[relation.foreignKey] !== undefined) {
          out.errors.push({ path: [...path, key], rule: "conflict", message: `give either ${relation.foreignKey} or ${key}, not both` });
          continue;
        }
        if (parent && parent.foreignKey === relation.foreignKey) {
          out.errors.push({ path: [...path, key], rule: "conflict", message: `${key} is set by the parent record of this nested create` });
          continue;
        }
        out.toOne.push({ relation, input });
      } else if (relation.kind === "hasMany") {
        out.toMany.push({ relation, input });
      } else {
        out.errors.push({ path: [...path, key], rule: "unsupported", message: "manyToMany relationships cannot be written through nested inputs yet" });
      }
    }
    if (parent && data[parent.foreignKey] !== undefined) {
      out.errors.push({ path: [...path, parent.foreignKey], rule: "conflict", message: `${parent.foreignKey} is set by the parent record of this nested create` });
    }
    return out;
  }

  private prevalidate(model: ModelIR, data: Data, mode: "create" | "update", path: Path, parentKey: string | undefined): FieldError[] {
    const split = this.split(model, data, path, parentKey ? { foreignKey: parentKey } : undefined);
    const errors = [...split.errors];
    const candidate: Data = { ...split.values };
    for (const { relation, input } of split.toOne) {
      if (input.disconnect === true) candidate[relation.foreignKey] = null;
      else if (input.disconnect === false) continue;
      else candidate[relation.foreignKey] = PLACEHOLDER_ID;
      const create = asObject(input.create);
      if (create) errors.push(...this.prevalidate(this.target(relation), create, "create", [...path, relation.name, "create"], undefined));
    }
    if (parentKey) candidate[parentKey] = PLACEHOLDER_ID;
    errors.push(...validateInput(this.ir, model, candidate, mode, path).errors);
    for (const { relation, input } of split.toMany) {
      const target = this.target(relation);
      for (const key of Object.keys(input)) {
        const value = input[key];
        if (value === undefined || value === null) continue;
        if (!["create", "connect", "disconnect"].includes(key) || (key === "disconnect" && mode === "create")) {
          errors.push({ path: [...path, relation.name, key], rule: "unknown_field", message: `'${key}' is not available here` });
        } else if (!Array.isArray(value)) {
          errors.push({ path: [...path, relation.name, key], rule: "type", message: "must be a list" });
        }
      }
      const creates = Array.isArray(input.create) ? input.create : [];
      creates.forEach((item, i) => {
        const child = asObject(item);
        if (child) errors.push(...this.prevalidate(target, child, "create", [...path, relation.name, "create", i], relation.foreignKey));
      });
      const fk = target.fields.find((f) => f.name === relation.foreignKey);
      if (Array.isArray(input.disconnect) && input.disconnect.length > 0 && fk?.required) {
        errors.push({
          path: [...path, relation.name, "disconnect"],
          rule: "required",
          message: `${target.name}.${relation.foreignKey} is required: a ${target.name} cannot be disconnected from its ${model.name} (connect it elsewhere or delete it)`,
        });
      }
    }
    return errors;
  }

  private throwIfInvalid(errors: FieldError[]): void {
    if (errors.length > 0) throw validationFailed(errors);
  }

  // ---------- writes ----------

  private async call<T>(run: () => Promise<T>, dataPath: Path, wherePath: Path): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw remapPaths(error, dataPath, wherePath);
    }
  }

  private async createNode(model: ModelIR, data: Data, path: Path, parent: ParentLink | undefined): Promise<RecordData> {
    const split = this.split(model, data, path, parent);
    this.throwIfInvalid(split.errors);
    const values = split.values;
    for (const toOne of split.toOne) {
      const key = await this.resolveToOne(toOne, [...path, toOne.relation.name]);
      if (key !== undefined) values[toOne.relation.foreignKey] = key;
    }
    if (parent) values[parent.foreignKey] = parent.id;
    const record = await this.call(() => this.engine.model(model.name).create(values, this.request), path, path);
    await this.applyToMany(model, String(record[model.primaryKey]), split.toMany, path);
    return record;
  }

  private async updateNode(model: ModelIR, where: Where, data: Data, path: Path, expectedVersion: number | undefined): Promise<RecordData> {
    const split = this.split(model, data, path, undefined);
    this.throwIfInvalid(split.errors);
    const values = split.values;
    for (const toOne of split.toOne) {
      const key = await this.resolveToOne(toOne, [...path, toOne.relation.name]);
      if (key !== undefined) values[toOne.relation.foreignKey] = key;
    }
    const repo = this.engine.model(model.name);
    let record: RecordData;
    if (Object.keys(values).length > 0 || expectedVersion !== undefined || split.toMany.length === 0) {
      record = await this.call(() => repo.update(where, values, this.request, { expectedVersion }), path, ["where"]);
    } else {
      const found = await this.call(() => repo.findUnique(where, this.request), path, ["where"]);
      if (!found) throw notFound(model.name, JSON.stringify(where));
      record = found;
    }
    await this.applyToMany(model, String(record[model.primaryKey]), split.toMany, path);
    return record;
  }

  /** The foreign-key value a belongsTo input stands for; undefined for `disconnect: false`. */
  private async resolveToOne({ relation, input }: ToOne, path: Path): Promise<string | null | undefined> {
    const target = this.target(relation);
    const connect = asObject(input.connect);
    if (connect) return this.resolveId(target, connect, [...path, "connect"]);
    const create = asObject(input.create);
    if (create) {
      const record = await this.createNode(target, create, [...path, "create"], undefined);
      return String(record[target.primaryKey]);
    }
    if (input.disconnect === true) return null;
    return undefined;
  }

  /** The id of the record a unique where names: given directly for the primary key, else one read. */
  private async resolveId(target: ModelIR, where: Data, path: Path): Promise<string> {
    const pk = primaryKey(target).name;
    const keys = Object.keys(where).filter((k) => where[k] !== undefined && where[k] !== null);
    if (keys.length === 1 && keys[0] === pk && typeof where[pk] === "string") return where[pk] as string;
    const found = await this.call(() => this.engine.model(target.name).findUnique(where, this.request, { fields: [pk] }), path, path);
    if (!found) throw validationFailed([{ path, rule: "exists", message: `no ${target.name} matches ${JSON.stringify(where)}` }]);
    return String(found[pk]);
  }

  private async applyToMany(model: ModelIR, id: string, toMany: ToMany[], path: Path): Promise<void> {
    for (const { relation, input } of toMany) {
      const target = this.target(relation);
      const repo = this.engine.model(target.name);
      const base = [...path, relation.name];
      const list = (key: string): unknown[] => (Array.isArray(input[key]) ? (input[key] as unknown[]) : []);
      for (const [i, item] of list("create").entries()) {
        await this.createNode(target, asObject(item) ?? {}, [...base, "create", i], { foreignKey: relation.foreignKey, id });
      }
      for (const [i, item] of list("connect").entries()) {
        const itemPath = [...base, "connect", i];
        await this.call(() => repo.update(asObject(item) ?? {}, { [relation.foreignKey]: id }, this.request), itemPath, itemPath);
      }
      for (const [i, item] of list("disconnect").entries()) {
        const itemPath = [...base, "disconnect", i];
        const where = asObject(item) ?? {};
        const { count } = await this.call(
          () => repo.updateMany({ AND: [{ ...where }, { [relation.foreignKey]: id }] }, { [relation.foreignKey]: null }, this.request),
          itemPath,
          itemPath,
        );
        if (count === 0) throw new EngineError("NOT_FOUND", `${target.name} ${JSON.stringify(where)} is not connected to ${model.name} ${id}`);
      }
    }
  }
}
