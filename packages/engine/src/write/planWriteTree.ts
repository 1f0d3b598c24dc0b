// Turns a write tree into a plan before any SQL: the shape of every relationship input checked,
// every record validated (once: its values, with a stand-in for the keys the tree fills in),
// every action authorised by the role matrix and every written field by field access. All the
// errors of the whole tree are reported together; nothing is written when there is one.
import type { BelongsToIR, FieldIR, HasManyIR, ModelIR, SchemaIR } from "@tessera/schema";
import { EngineError, validationFailed, type FieldError } from "../EngineError.ts";
import type { RequestContext, Where } from "../queryTypes.ts";
import type { Authorizer } from "../authorization/Authorizer.ts";
import type { UniqueKey } from "../compiler/compileWrite.ts";
import { validateInput, type WriteMode } from "../validate/validateInput.ts";
import { chosenIdErrors, fieldAccessErrors, forbiddenFields, requireTenant, uniqueKeyOf, type Path } from "./writeChecks.ts";
import type { WriteData, WriteTree } from "./writeTreeTypes.ts";

/**
 * Stands in for a foreign key the tree fills in while it runs (the id of a record created or looked
 * up earlier in the same transaction), so that validation sees the key as given. Never written: the
 * runner replaces it before the record's statement is compiled.
 */
export const PENDING_KEY = "00000000-0000-4000-8000-000000000000";

/** An existing record named by a unique where: by primary key it needs no statement to find. */
export interface ConnectPlan {
  model: ModelIR;
  path: Path;
  where: Where;
  key: UniqueKey;
}

/** A belongsTo whose key comes from a record created, or looked up, before this one is written. */
export interface ToOnePlan {
  foreignKey: FieldIR;
  create?: CreatePlan;
  connect?: ConnectPlan;
}

/** A hasMany, applied once the record is written and its id known. */
export interface ToManyPlan {
  relation: HasManyIR;
  target: ModelIR;
  foreignKey: FieldIR;
  create: CreatePlan[];
  connect: ConnectPlan[];
  disconnect: { path: Path; where: Where }[];
}

interface NodePlan {
  model: ModelIR;
  /** Where the record's data is in the input: its errors are reported under it. */
  path: Path;
  /** Validated values; keys filled in by the tree hold PENDING_KEY until the runner sets them. */
  values: Map<FieldIR, unknown>;
  toOne: ToOnePlan[];
  toMany: ToManyPlan[];
}

export interface CreatePlan extends NodePlan {
  kind: "create";
  /** The parent's key this child of a hasMany create points at, set by the runner. */
  parentKey?: FieldIR;
}

export interface UpdatePlan extends NodePlan {
  kind: "update";
  where: Where;
  key: UniqueKey;
  expectedVersion?: number;
}

export type WritePlan = CreatePlan | UpdatePlan;

const TO_ONE_KEYS = ["create", "connect", "disconnect"];
const TO_MANY_KEYS = ["create", "connect", "disconnect"];

function asObject(value: unknown): WriteData | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as WriteData) : undefined;
}

export class WriteTreePlanner {
  /** Shape and validation errors of the whole tree. */
  private readonly errors: FieldError[] = [];
  /** Fields written without write access: FORBIDDEN, reported after the validation errors. */
  private readonly denied: FieldError[] = [];

  constructor(
    private readonly schema: SchemaIR,
    private readonly ctx: RequestContext,
    private readonly auth: Authorizer,
  ) {}

  plan(tree: WriteTree): WritePlan {
    const root = this.model(tree.model);
    let plan: WritePlan | undefined;
    if ("create" in tree) {
      plan = this.create(root, tree.create, ["data"], undefined);
    } else if (!asObject((tree as { update?: unknown }).update)) {
      throw validationFailed([{ path: [], message: "give create: data, or update: { where, data }", rule: "type" }]);
    } else {
      const { where, data, expectedVersion } = tree.update;
      this.authorize(root, "update");
      const key = this.uniqueKey(root, where, ["where"]);
      const node = this.node(root, data, "update", ["data"], undefined);
      if (key && node) plan = { kind: "update", ...node, where, key, ...(expectedVersion === undefined ? {} : { expectedVersion }) };
    }
    if (tree.select) this.authorize(root, "read");
    if (this.errors.length > 0) throw validationFailed(this.errors);
    if (this.denied.length > 0) throw forbiddenFields(this.denied);
    return plan!;
  }

  private model(name: string): ModelIR {
    const model = this.schema.models.find((m) => m.name === name);
    if (!model) throw new EngineError("NOT_FOUND", `unknown model '${name}'`);
    return model;
  }

  /** The role matrix and policies (FORBIDDEN at once, as every repository call does), and tenancy. */
  private authorize(model: ModelIR, action: "create" | "read" | "update"): void {
    this.auth.require(model, action);
    requireTenant(model, this.ctx);
  }

  private uniqueKey(model: ModelIR, where: unknown, path: Path): UniqueKey | undefined {
    const object = asObject(where);
    if (!object) {
      this.errors.push({ path, message: `identify one ${model.name} by ${model.primaryKey} or a unique field`, rule: "unique_where" });
      return undefined;
    }
    try {
      return uniqueKeyOf(this.schema, model, object, this.auth, path);
    } catch (error) {
      if (!(error instanceof EngineError) || error.code !== "VALIDATION_FAILED") throw error;
      this.errors.push(...error.fieldErrors);
      return undefined;
    }
  }

  private create(model: ModelIR, data: unknown, path: Path, parentKey: FieldIR | undefined): CreatePlan | undefined {
    this.authorize(model, "create");
    const node = this.node(model, data, "create", path, parentKey);
    return node && { kind: "create", ...node, ...(parentKey ? { parentKey } : {}) };
  }

  /**
   * Splits one record's input into field values and relationship inputs, plans the related records
   * and validates the values once, with PENDING_KEY for the keys the tree fills in.
   */
  private node(model: ModelIR, input: unknown, mode: WriteMode, path: Path, parentKey: FieldIR | undefined): NodePlan | undefined {
    const data = asObject(input);
    if (!data) {
      this.errors.push({ path, message: "must be an object of field values", rule: "type" });
      return undefined;
    }
    const candidate: WriteData = {};
    const toOne: ToOnePlan[] = [];
    const toMany: ToManyPlan[] = [];
    for (const [name, value] of Object.entries(data)) {
      if (value === undefined) continue;
      const relation = model.relations.find((r) => r.name === name);
      if (!relation) candidate[name] = value;
      else if (relation.kind === "belongsTo") {
        const planned = this.toOne(model, data, relation, value, [...path, name], parentKey);
        if (planned === "disconnect") candidate[relation.foreignKey] = null;
        else if (planned !== "keep") {
          // Set even when the related input has errors, so they are not also reported as a missing key.
          candidate[relation.foreignKey] = PENDING_KEY;
          if (planned) toOne.push(planned);
        }
      } else if (relation.kind === "hasMany") {
        const planned = this.toMany(model, relation, value, mode, [...path, name]);
        if (planned) toMany.push(planned);
      } else {
        this.errors.push({ path: [...path, name], message: `${model.name}.${name} is many-to-many, and no write can link or unlink its records yet; leave it out`, rule: "unsupported" });
      }
    }
    if (parentKey) {
      if (data[parentKey.name] !== undefined) {
        this.errors.push({ path: [...path, parentKey.name], message: `${parentKey.name} is set by the parent record of this nested create`, rule: "conflict" });
      }
      candidate[parentKey.name] = PENDING_KEY;
    }
    const { values, errors } = validateInput(this.schema, model, candidate, mode, path);
    this.errors.push(...errors);
    if (mode === "create") {
      // The keys the tree fills in are not the caller's choice of id; only a given id is refused.
      this.errors.push(...chosenIdErrors(model, values, this.ctx, path));
    }
    this.denied.push(...fieldAccessErrors(this.auth, model, values.keys(), path));
    return { model, path, values, toOne, toMany };
  }

  /**
   * A belongsTo input: the plan of its create or connect (undefined when that has errors),
   * "disconnect", or "keep" (the key is not changed: `disconnect: false`, or an input in error).
   */
  private toOne(model: ModelIR, data: WriteData, relation: BelongsToIR, value: unknown, path: Path, parentKey: FieldIR | undefined): ToOnePlan | "disconnect" | "keep" | undefined {
    const input = asObject(value);
    if (!input) {
      this.errors.push({ path, message: "give { connect }, { create } or { disconnect: true }", rule: "type" });
      return "keep";
    }
    for (const key of Object.keys(input)) {
      if (!TO_ONE_KEYS.includes(key)) this.errors.push({ path: [...path, key], message: `'${key}' is not available here; give one of ${TO_ONE_KEYS.join(", ")}`, rule: "unknown_field" });
    }
    const given = TO_ONE_KEYS.filter((k) => input[k] !== undefined && input[k] !== null);
    if (given.length !== 1) {
      this.errors.push({ path, message: "give exactly one of connect, create, disconnect", rule: "type" });
      return "keep";
    }
    if (data[relation.foreignKey] !== undefined) {
      this.errors.push({ path, message: `give either ${relation.foreignKey} or ${relation.name}, not both`, rule: "conflict" });
      return "keep";
    }
    if (parentKey?.name === relation.foreignKey) {
      this.errors.push({ path, message: `${relation.name} is set by the parent record of this nested create`, rule: "conflict" });
      return "keep";
    }
    const target = this.model(relation.target);
    const foreignKey = model.fields.find((f) => f.name === relation.foreignKey)!;
    if (given[0] === "disconnect") {
      if (input.disconnect === true) return "disconnect";
      if (input.disconnect !== false) this.errors.push({ path: [...path, "disconnect"], message: "must be true or false", rule: "type" });
      return "keep";
    }
    if (given[0] === "create") {
      const create = this.create(target, input.create, [...path, "create"], undefined);
      return create && { foreignKey, create };
    }
    const connect = this.connect(target, input.connect, [...path, "connect"]);
    return connect && { foreignKey, connect };
  }

  /** A record named by a unique where. By another field than the primary key it is looked up, which needs read access. */
  private connect(target: ModelIR, where: unknown, path: Path): ConnectPlan | undefined {
    const key = this.uniqueKey(target, where, path);
    if (!key) return undefined;
    if (key.field.name !== target.primaryKey) this.authorize(target, "read");
    return { model: target, path, where: where as Where, key };
  }

  private toMany(model: ModelIR, relation: HasManyIR, value: unknown, mode: WriteMode, path: Path): ToManyPlan | undefined {
    const input = asObject(value);
    if (!input) {
      this.errors.push({ path, message: "give { create, connect, disconnect } lists", rule: "type" });
      return undefined;
    }
    const target = this.model(relation.target);
    const foreignKey = target.fields.find((f) => f.name === relation.foreignKey);
    if (!foreignKey) throw new EngineError("INTERNAL", `${model.name}.${relation.name}: ${target.name} has no field ${relation.foreignKey}`);
    const plan: ToManyPlan = { relation, target, foreignKey, create: [], connect: [], disconnect: [] };
    const list = (key: string): unknown[] => {
      const items = input[key];
      if (items === undefined || items === null) return [];
      if (!Array.isArray(items)) {
        this.errors.push({ path: [...path, key], message: "must be a list", rule: "type" });
        return [];
      }
      return items;
    };
    for (const key of Object.keys(input)) {
      if (input[key] === undefined || input[key] === null) continue;
      if (!TO_MANY_KEYS.includes(key) || (key === "disconnect" && mode === "create")) {
        this.errors.push({ path: [...path, key], message: `'${key}' is not available here`, rule: "unknown_field" });
      }
    }
    list("create").forEach((item, i) => {
      const child = this.create(target, item, [...path, "create", i], foreignKey);
      if (child) plan.create.push(child);
    });
    const moves = [...list("connect"), ...(mode === "update" ? list("disconnect") : [])];
    if (moves.length > 0) {
      // Connecting or disconnecting changes the related record's key: an update of it.
      this.authorize(target, "update");
      this.denied.push(...fieldAccessErrors(this.auth, target, [foreignKey], [...path, relation.foreignKey]));
    }
    list("connect").forEach((item, i) => {
      const itemPath = [...path, "connect", i];
      const key = this.uniqueKey(target, item, itemPath);
      if (key) plan.connect.push({ model: target, path: itemPath, where: item as Where, key });
    });
    if (mode === "update") {
      const disconnect = list("disconnect");
      disconnect.forEach((item, i) => {
        const itemPath = [...path, "disconnect", i];
        if (this.uniqueKey(target, item, itemPath)) plan.disconnect.push({ path: itemPath, where: item as Where });
      });
      if (disconnect.length > 0 && foreignKey.required) {
        this.errors.push({
          path: [...path, "disconnect"],
          message: `${target.name}.${relation.foreignKey} is required: a ${target.name} cannot be disconnected from its ${model.name} (connect it elsewhere or delete it)`,
          rule: "required",
        });
      }
    }
    return plan;
  }
}
