// SchemaIR → GraphQLSchema, Hygraph conventions (docs/graphql.md). Types are created once per name
// and fields are thunks, so relationships may form cycles.
import { GraphQLBoolean, GraphQLEnumType, GraphQLFloat, GraphQLID, GraphQLInputObjectType, GraphQLInt, GraphQLInterfaceType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from "./graphqlRuntime.ts";
import type { GraphQLFieldConfig, GraphQLFieldConfigArgumentMap, GraphQLFieldConfigMap, GraphQLInputFieldConfigMap, GraphQLInputType, GraphQLOutputType, GraphQLScalarType } from "graphql";
import type { FieldIR, ModelIR, RelationIR, ScalarType, SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "./context.ts";
import { toGlobalId } from "./globalId.ts";
import { modelNames } from "./names.ts";
import {
  apiFields,
  filterOperators,
  hasMinMax,
  isGroupable,
  isNumeric,
  isSortable,
  isToMany,
  isUnique,
  mayBeHidden,
  primaryKey,
  suppliableForeignKeys,
  writableFields,
  writableRelations,
} from "./modelFields.ts";
import { DateScalar, DateTimeScalar, DecimalScalar, JSONScalar, MoneyScalar } from "./scalars.ts";
import { connectionResolver, groupByResolver, historyResolver, listResolver, nodeResolver, singleResolver } from "./resolvers/queryResolvers.ts";
import { mutationResolvers } from "./resolvers/mutationResolvers.ts";
import { LIST_FIELD_EXTENSION, type ListFieldKind } from "./limits.ts";
import { NODE_TYPE } from "./resolvers/nodeType.ts";
import { changeResolver, changeSubscriber } from "./subscriptions/subscriptionFields.ts";
import { CHANGE_TYPES } from "./subscriptions/changeEvents.ts";

type Field = GraphQLFieldConfig<Record<string, unknown>, GraphQLContext>;
type Fields = GraphQLFieldConfigMap<Record<string, unknown>, GraphQLContext>;

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const RESERVED_ENUM_VALUES = new Set(["true", "false", "null"]);

const nonNull = <T extends GraphQLOutputType | GraphQLInputType>(type: T) => new GraphQLNonNull(type);
const listOf = <T extends GraphQLOutputType | GraphQLInputType>(type: T) => new GraphQLList(new GraphQLNonNull(type));
const listExtension = (kind: ListFieldKind) => ({ [LIST_FIELD_EXTENSION]: kind });

export class SchemaBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaBuildError";
  }
}

class TypeBuilder {
  private readonly enums = new Map<string, GraphQLEnumType>();
  private readonly cache = new Map<string, GraphQLObjectType | GraphQLInputObjectType | GraphQLEnumType>();
  readonly nodeInterface: GraphQLInterfaceType;
  readonly pageInfo: GraphQLObjectType;
  readonly batchPayload: GraphQLObjectType;
  readonly deletedFilter: GraphQLEnumType;
  private changeEventTypeEnum: GraphQLEnumType | undefined;

  constructor(readonly ir: SchemaIR) {
    for (const e of ir.enums) {
      if (!GRAPHQL_NAME.test(e.name)) throw new SchemaBuildError(`enum '${e.name}' is not a valid GraphQL name`);
      const values: { [name: string]: { value: string } } = {};
      for (const v of e.values) {
        if (!GRAPHQL_NAME.test(v) || RESERVED_ENUM_VALUES.has(v)) {
          throw new SchemaBuildError(`enum ${e.name}: value '${v}' cannot be a GraphQL enum value (letters, digits and _ only, not true/false/null)`);
        }
        values[v] = { value: v };
      }
      this.enums.set(e.name, new GraphQLEnumType({ name: e.name, values }));
    }
    this.nodeInterface = new GraphQLInterfaceType({
      name: NODE_TYPE,
      description: "A record with a Relay global id (`nodeId`, base64 of `Model:uuid`). `id` stays the record's uuid.",
      fields: { nodeId: { type: nonNull(GraphQLID) } },
    });
    this.pageInfo = new GraphQLObjectType({
      name: "PageInfo",
      fields: {
        hasNextPage: { type: nonNull(GraphQLBoolean) },
        hasPreviousPage: { type: nonNull(GraphQLBoolean) },
        startCursor: { type: GraphQLString },
        endCursor: { type: GraphQLString },
        pageSize: { type: nonNull(GraphQLInt), description: "Number of edges on this page." },
      },
    });
    this.batchPayload = new GraphQLObjectType({
      name: "BatchPayload",
      description: "Result of a many-mutation: how many records it changed.",
      fields: { count: { type: nonNull(GraphQLInt) } },
    });
    this.deletedFilter = new GraphQLEnumType({
      name: "DeletedFilter",
      description: "Soft-deleted records: hidden (EXCLUDE, the default), shown with the others (INCLUDE), or only them: the trash (ONLY).",
      values: { EXCLUDE: { value: "exclude" }, INCLUDE: { value: "include" }, ONLY: { value: "only" } },
    });
  }

  model(name: string): ModelIR {
    const model = this.ir.models.find((m) => m.name === name);
    if (!model) throw new SchemaBuildError(`unknown model '${name}'`);
    return model;
  }

  private once<T extends GraphQLObjectType | GraphQLInputObjectType | GraphQLEnumType>(name: string, make: () => T): T {
    let type = this.cache.get(name);
    if (!type) {
      type = make();
      this.cache.set(name, type);
    }
    return type as T;
  }

  // ---------- scalars ----------

  scalar(type: ScalarType | "enum", enumName?: string): GraphQLScalarType | GraphQLEnumType {
    switch (type) {
      case "id":
        return GraphQLID;
      case "string":
      case "text":
        return GraphQLString;
      case "int":
        return GraphQLInt;
      case "float":
        return GraphQLFloat;
      case "decimal":
        return DecimalScalar;
      case "money":
        return MoneyScalar;
      case "boolean":
        return GraphQLBoolean;
      case "date":
        return DateScalar;
      case "datetime":
        return DateTimeScalar;
      case "json":
        return JSONScalar;
      case "enum": {
        const e = this.enums.get(enumName ?? "");
        if (!e) throw new SchemaBuildError(`unknown enum '${String(enumName)}'`);
        return e;
      }
    }
  }

  /** The type of one value of the field (for arrays: of one element). */
  elementType(field: FieldIR): GraphQLScalarType | GraphQLEnumType {
    if (field.type === "array") return this.scalar(field.items?.type ?? "string", field.items?.enum);
    return this.scalar(field.type, field.enum);
  }

  /** Nullable value type of the field (arrays: `[T!]`). */
  valueType(field: FieldIR): GraphQLScalarType | GraphQLEnumType | GraphQLList<GraphQLNonNull<GraphQLScalarType | GraphQLEnumType>> {
    return field.type === "array" ? listOf(this.elementType(field)) : this.elementType(field);
  }

  outputFieldType(model: ModelIR, field: FieldIR): GraphQLOutputType {
    const type = this.valueType(field);
    const nonNullable = field.name === model.primaryKey || (field.required && !mayBeHidden(model, field)) || (field.type === "array" && !mayBeHidden(model, field));
    return nonNullable ? nonNull(type) : type;
  }

  // ---------- object types ----------

  objectType(model: ModelIR): GraphQLObjectType {
    const n = modelNames(model);
    return this.once(n.type, () => {
      return new GraphQLObjectType<Record<string, unknown>, GraphQLContext>({
        name: n.type,
        interfaces: [this.nodeInterface],
        fields: () => {
          const fields: Fields = {};
          for (const field of apiFields(model)) fields[field.name] = { type: this.outputFieldType(model, field) };
          if (fields.nodeId) throw new SchemaBuildError(`${model.name}: a field named 'nodeId' clashes with the Relay global id field`);
          const pk = model.primaryKey;
          fields.nodeId = {
            type: nonNull(GraphQLID),
            description: "Relay global id: base64 of `" + model.name + ":<id>`.",
            resolve: (source) => toGlobalId(model.name, String(source[pk])),
          };
          for (const rel of model.relations) {
            if (fields[rel.name]) throw new SchemaBuildError(`${model.name}: relationship '${rel.name}' clashes with a field of the same name`);
            fields[rel.name] = this.relationField(rel);
          }
          return fields;
        },
      });
    });
  }

  private relationField(rel: RelationIR): Field {
    const target = this.model(rel.target);
    if (!isToMany(rel)) return { type: this.objectType(target) };
    return {
      type: nonNull(listOf(this.objectType(target))),
      args: this.relationListArgs(target),
      extensions: listExtension("relation"),
    };
  }

  private relationListArgs(target: ModelIR): GraphQLFieldConfigArgumentMap {
    return {
      where: { type: this.whereInput(target) },
      orderBy: { type: listOf(this.orderByInput(target)) },
      skip: { type: GraphQLInt },
      first: { type: GraphQLInt },
      last: { type: GraphQLInt },
    };
  }

  listArgs(model: ModelIR): GraphQLFieldConfigArgumentMap {
    const args: GraphQLFieldConfigArgumentMap = {
      where: { type: this.whereInput(model) },
      orderBy: { type: listOf(this.orderByInput(model)), description: "One key (`createdAt_DESC`) or a list; the id is always the last tie-breaker." },
      skip: { type: GraphQLInt },
      first: { type: GraphQLInt, description: `Page size; default ${this.ir.config.defaultPageSize}, at most ${this.ir.config.maxPageSize}.` },
      last: { type: GraphQLInt, description: `Page size from the end; at most ${this.ir.config.maxPageSize}.` },
      after: { type: GraphQLString },
      before: { type: GraphQLString },
    };
    if (this.ir.config.softDeletes) args.deleted = { type: this.deletedFilter, defaultValue: "exclude" };
    return args;
  }

  connectionType(model: ModelIR): GraphQLObjectType {
    const n = modelNames(model);
    return this.once(n.connectionType, () => {
      const edge = new GraphQLObjectType({
        name: n.edge,
        fields: () => ({ node: { type: nonNull(this.objectType(model)) }, cursor: { type: nonNull(GraphQLString) } }),
      });
      return new GraphQLObjectType({
        name: n.connectionType,
        fields: () => ({
          edges: { type: nonNull(listOf(edge)) },
          pageInfo: { type: nonNull(this.pageInfo) },
          aggregate: {
            type: nonNull(this.aggregateType(model)),
            description: "Aggregates over every record matching `where` (and `deleted`), ignoring paging.",
          },
        }),
      });
    });
  }

  private aggregateParts(model: ModelIR): Fields {
    const n = modelNames(model);
    const numeric = apiFields(model).filter(isNumeric);
    const ordered = apiFields(model).filter(hasMinMax);
    const parts: Fields = {};
    if (numeric.length > 0) {
      const sum = this.once(n.sumAggregate, () => new GraphQLObjectType({
        name: n.sumAggregate,
        fields: Object.fromEntries(numeric.map((f) => [f.name, { type: f.type === "int" || f.type === "float" ? GraphQLFloat : this.elementType(f) }])),
      }));
      const avg = this.once(n.avgAggregate, () => new GraphQLObjectType({
        name: n.avgAggregate,
        fields: Object.fromEntries(numeric.map((f) => [f.name, { type: f.type === "int" || f.type === "float" ? GraphQLFloat : this.elementType(f) }])),
      }));
      parts.sum = { type: nonNull(sum) };
      parts.avg = { type: nonNull(avg) };
    }
    if (ordered.length > 0) {
      const minMax = this.once(n.minMaxAggregate, () => new GraphQLObjectType({
        name: n.minMaxAggregate,
        fields: Object.fromEntries(ordered.map((f) => [f.name, { type: this.elementType(f) }])),
      }));
      parts.min = { type: nonNull(minMax) };
      parts.max = { type: nonNull(minMax) };
    }
    return parts;
  }

  aggregateType(model: ModelIR): GraphQLObjectType {
    const n = modelNames(model);
    return this.once(n.aggregate, () => new GraphQLObjectType({
      name: n.aggregate,
      fields: () => ({ count: { type: nonNull(GraphQLInt) }, ...this.aggregateParts(model) }),
    }));
  }

  groupByFieldEnum(model: ModelIR): GraphQLEnumType {
    const n = modelNames(model);
    return this.once(n.groupByField, () => new GraphQLEnumType({
      name: n.groupByField,
      values: Object.fromEntries(apiFields(model).filter(isGroupable).map((f) => [f.name, { value: f.name }])),
    }));
  }

  groupType(model: ModelIR): GraphQLObjectType {
    const n = modelNames(model);
    return this.once(n.group, () => {
      const key = new GraphQLObjectType({
        name: n.groupKey,
        description: "The grouped fields' values of a group; fields not grouped by are null.",
        fields: () => Object.fromEntries(apiFields(model).filter(isGroupable).map((f) => [f.name, { type: this.valueType(f) }])),
      });
      return new GraphQLObjectType({
        name: n.group,
        description: "One group of a group-by: its key, its count and the aggregates the selection asks for.",
        fields: () => ({ key: { type: nonNull(key) }, count: { type: nonNull(GraphQLInt) }, ...this.aggregateParts(model) }),
      });
    });
  }

  // ---------- subscriptions ----------

  /** `ChangeEventType { CREATED UPDATED DELETED RESTORED DESTROYED }`; values are the engine's event types. */
  changeEventType(): GraphQLEnumType {
    this.changeEventTypeEnum ??= new GraphQLEnumType({
      name: "ChangeEventType",
      description: "What happened to a record: created, updated, soft-deleted (to the trash), restored from the trash, or destroyed (hard delete).",
      values: Object.fromEntries(CHANGE_TYPES.map((t) => [t.toUpperCase(), { value: t }])),
    });
    return this.changeEventTypeEnum;
  }

  /** One entry of a record's history (the audit panel): every field change with who made it and when. */
  recordEvent(): GraphQLObjectType {
    return this.once("RecordEvent", () => new GraphQLObjectType({
      name: "RecordEvent",
      description: "One committed change of a record, from the event log; fields the reader may not read are absent from `changes` and `data`.",
      fields: () => ({
        seq: { type: nonNull(GraphQLFloat), description: "Position in the event log (an integer; Float because GraphQL's Int has 32 bits)." },
        type: { type: nonNull(this.changeEventType()) },
        version: { type: GraphQLInt, description: "The record's version after the change." },
        changes: { type: nonNull(JSONScalar), description: "`{ field: { from, to } }` for every field the change set." },
        data: { type: JSONScalar, description: "The record after the change (before it, for DESTROYED)." },
        actor: { type: GraphQLString, description: "Who made the change (the principal's sub)." },
        impersonator: { type: GraphQLString, description: "On whose behalf: the sub of the principal acting as `actor`, when one did." },
        correlationId: { type: GraphQLString },
        at: { type: nonNull(DateTimeScalar) },
      }),
    }));
  }

  changeEvent(model: ModelIR): GraphQLObjectType {
    const n = modelNames(model);
    return this.once(n.changeEvent, () => new GraphQLObjectType({
      name: n.changeEvent,
      description: `A committed change of a ${model.name} the subscriber may read (its read, row and field rules applied).`,
      fields: () => ({
        type: { type: nonNull(this.changeEventType()) },
        node: {
          type: this.objectType(model),
          description: "The record as the subscriber may read it when the event is delivered (soft-deleted ones included); null after DESTROYED.",
        },
        previous: {
          type: this.objectType(model),
          description: "The record before the change, from the event log (its own fields, no relationships); null for CREATED.",
        },
        changedFields: { type: nonNull(listOf(GraphQLString)), description: "Fields whose value the change set to something else (readable ones)." },
        actor: { type: GraphQLString, description: "Who made the change (the principal's sub)." },
        at: { type: nonNull(DateTimeScalar) },
        seq: { type: nonNull(GraphQLFloat), description: "Position in the event log: an integer, increasing in commit order (Float because GraphQL's Int has 32 bits)." },
      }),
    }));
  }

  // ---------- filter and order inputs ----------

  orderByInput(model: ModelIR): GraphQLEnumType {
    const n = modelNames(model);
    return this.once(n.orderByInput, () => {
      const values: { [name: string]: { value: string } } = {};
      for (const f of apiFields(model).filter(isSortable)) {
        values[`${f.name}_ASC`] = { value: `${f.name}_ASC` };
        values[`${f.name}_DESC`] = { value: `${f.name}_DESC` };
      }
      return new GraphQLEnumType({ name: n.orderByInput, values });
    });
  }

  whereInput(model: ModelIR): GraphQLInputObjectType {
    const n = modelNames(model);
    return this.once(n.whereInput, () => {
      const self: GraphQLInputObjectType = new GraphQLInputObjectType({
        name: n.whereInput,
        description: `Filter on ${model.name}: a bare field is equality; suffixes are operators; AND/OR/NOT combine filters.`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {};
          if (model.searchable.length > 0) {
            fields._search = { type: GraphQLString, description: `Case- and accent-insensitive search in ${model.searchable.join(", ")}.` };
          }
          fields.AND = { type: listOf(self) };
          fields.OR = { type: listOf(self) };
          fields.NOT = { type: listOf(self) };
          for (const field of apiFields(model)) {
            const value = this.valueType(field);
            const element = this.elementType(field);
            fields[field.name] = { type: value };
            for (const op of filterOperators(field)) {
              const name = `${field.name}_${op}`;
              if (op === "in" || op === "not_in") fields[name] = { type: listOf(element) };
              else if (op === "contains_all" || op === "contains_some" || op === "contains_none") fields[name] = { type: listOf(element) };
              else if (op.includes("contains") || op.includes("starts_with") || op.includes("ends_with")) fields[name] = { type: GraphQLString };
              else fields[name] = { type: value };
            }
          }
          for (const rel of model.relations) {
            const target = this.whereInput(this.model(rel.target));
            if (isToMany(rel)) {
              fields[`${rel.name}_some`] = { type: target };
              fields[`${rel.name}_every`] = { type: target };
              fields[`${rel.name}_none`] = { type: target };
            } else {
              fields[rel.name] = { type: target, description: "Filter on the related record; null means there is none." };
            }
          }
          return fields;
        },
      });
      return self;
    });
  }

  whereUniqueInput(model: ModelIR): GraphQLInputObjectType {
    const n = modelNames(model);
    return this.once(n.whereUniqueInput, () => new GraphQLInputObjectType({
      name: n.whereUniqueInput,
      description: "Exactly one of the primary key or a unique field.",
      isOneOf: true,
      fields: () => Object.fromEntries(apiFields(model).filter((f) => isUnique(model, f)).map((f) => [f.name, { type: this.elementType(f) }])),
    }));
  }

  // ---------- write inputs ----------

  createInput(model: ModelIR): GraphQLInputObjectType {
    const n = modelNames(model);
    return this.once(n.createInput, () => new GraphQLInputObjectType({
      name: n.createInput,
      fields: () => {
        const suppliable = suppliableForeignKeys(this.ir, model);
        const pk = primaryKey(model);
        const fields: GraphQLInputFieldConfigMap = {
          [pk.name]: { type: GraphQLID, description: "Assigned by the server: a request that sets it is refused (VALIDATION_FAILED, rule server_assigned), so an id never tells whether another tenant has it." },
        };
        for (const field of writableFields(model)) {
          const required = field.required && field.default === undefined && field.defaultFrom === undefined && field.type !== "array" && !suppliable.has(field.name);
          fields[field.name] = { type: required ? nonNull(this.valueType(field)) : this.valueType(field) };
        }
        for (const rel of writableRelations(model)) {
          const target = this.model(rel.target);
          fields[rel.name] = { type: isToMany(rel) ? this.createManyInline(target) : this.createOneInline(target) };
        }
        return fields;
      },
    }));
  }

  updateInput(model: ModelIR): GraphQLInputObjectType {
    const n = modelNames(model);
    return this.once(n.updateInput, () => new GraphQLInputObjectType({
      name: n.updateInput,
      fields: () => {
        const fields: GraphQLInputFieldConfigMap = {};
        for (const field of writableFields(model)) fields[field.name] = { type: this.valueType(field) };
        for (const rel of writableRelations(model)) {
          const target = this.model(rel.target);
          fields[rel.name] = { type: isToMany(rel) ? this.updateManyInline(target) : this.updateOneInline(target) };
        }
        return fields;
      },
    }));
  }

  updateManyInput(model: ModelIR): GraphQLInputObjectType {
    const n = modelNames(model);
    return this.once(n.updateManyInput, () => new GraphQLInputObjectType({
      name: n.updateManyInput,
      description: "Field values set on every matching record (no nested relationship inputs).",
      fields: () => Object.fromEntries(writableFields(model).map((f) => [f.name, { type: this.valueType(f) }])),
    }));
  }

  upsertInput(model: ModelIR): GraphQLInputObjectType {
    const n = modelNames(model);
    return this.once(n.upsertInput, () => new GraphQLInputObjectType({
      name: n.upsertInput,
      fields: () => ({ create: { type: nonNull(this.createInput(model)) }, update: { type: nonNull(this.updateInput(model)) } }),
    }));
  }

  private createOneInline(target: ModelIR): GraphQLInputObjectType {
    const n = modelNames(target);
    return this.once(n.createOneInline, () => new GraphQLInputObjectType({
      name: n.createOneInline,
      description: "Exactly one: create the related record, or connect an existing one.",
      isOneOf: true,
      fields: () => ({ create: { type: this.createInput(target) }, connect: { type: this.whereUniqueInput(target) } }),
    }));
  }

  private updateOneInline(target: ModelIR): GraphQLInputObjectType {
    const n = modelNames(target);
    return this.once(n.updateOneInline, () => new GraphQLInputObjectType({
      name: n.updateOneInline,
      description: "Exactly one: create a new related record, connect an existing one, or disconnect (set the foreign key to null).",
      isOneOf: true,
      fields: () => ({
        create: { type: this.createInput(target) },
        connect: { type: this.whereUniqueInput(target) },
        disconnect: { type: GraphQLBoolean },
      }),
    }));
  }

  private createManyInline(target: ModelIR): GraphQLInputObjectType {
    const n = modelNames(target);
    return this.once(n.createManyInline, () => new GraphQLInputObjectType({
      name: n.createManyInline,
      description: "Related records to create (their foreign key is set to the new record) and existing ones to connect (re-pointed to it).",
      fields: () => ({ create: { type: listOf(this.createInput(target)) }, connect: { type: listOf(this.whereUniqueInput(target)) } }),
    }));
  }

  private updateManyInline(target: ModelIR): GraphQLInputObjectType {
    const n = modelNames(target);
    return this.once(n.updateManyInline, () => new GraphQLInputObjectType({
      name: n.updateManyInline,
      description: "Related records to create, to connect, and to disconnect (their foreign key set to null; fails when it is required).",
      fields: () => ({
        create: { type: listOf(this.createInput(target)) },
        connect: { type: listOf(this.whereUniqueInput(target)) },
        disconnect: { type: listOf(this.whereUniqueInput(target)) },
      }),
    }));
  }
}

function checkNames(ir: SchemaIR): void {
  const roots = new Map<string, string>();
  const claim = (name: string, owner: string): void => {
    const previous = roots.get(name);
    if (previous) throw new SchemaBuildError(`GraphQL name '${name}' of ${owner} clashes with ${previous}`);
    roots.set(name, owner);
  };
  const reserved = ["Node", "PageInfo", "BatchPayload", "DeletedFilter", "ChangeEventType", "Query", "Mutation", "Subscription", "Decimal", "Money", "Date", "DateTime", "JSON", "RecordEvent"];
  for (const name of reserved) claim(name, "the GraphQL API");
  for (const e of ir.enums) claim(e.name, `enum ${e.name}`);
  for (const model of ir.models) {
    const n = modelNames(model);
    if (!GRAPHQL_NAME.test(model.name) || !GRAPHQL_NAME.test(model.plural)) throw new SchemaBuildError(`model '${model.name}' (plural '${model.plural}') is not a valid GraphQL name`);
    claim(n.type, `model ${model.name}`);
    if (ir.config.subscriptions) claim(n.changeEvent, `the change events of model ${model.name}`);
    for (const key of ["single", "plural", "connection", "groupBy", "history"] as const) claim(`query:${n[key]}`, `model ${model.name}`);
  }
}

/** The GraphQL schema of an app, with resolvers that hand each root field to the engine in one call. */
export function buildGraphQLSchema(ir: SchemaIR): GraphQLSchema {
  checkNames(ir);
  const types = new TypeBuilder(ir);
  const query: Fields = {
    node: {
      type: types.nodeInterface,
      description: "Any record by its Relay global id (`nodeId`).",
      args: { id: { type: nonNull(GraphQLID) } },
      resolve: nodeResolver(ir),
    },
  };
  const mutation: Fields = {};
  const subscription: Fields = {};
  for (const model of ir.models) {
    const n = modelNames(model);
    const object = types.objectType(model);
    const uniqueArgs: GraphQLFieldConfigArgumentMap = { where: { type: nonNull(types.whereUniqueInput(model)) } };
    const singleArgs: GraphQLFieldConfigArgumentMap = { ...uniqueArgs };
    if (ir.config.softDeletes) singleArgs.deleted = { type: types.deletedFilter, defaultValue: "exclude" };
    query[n.single] = { type: object, args: singleArgs, resolve: singleResolver(ir, model) };
    query[n.plural] = { type: nonNull(listOf(object)), args: types.listArgs(model), resolve: listResolver(ir, model), extensions: listExtension("root") };
    query[n.connection] = {
      type: nonNull(types.connectionType(model)),
      args: types.listArgs(model),
      resolve: connectionResolver(ir, model),
      extensions: listExtension("connection"),
    };
    const groupArgs: GraphQLFieldConfigArgumentMap = {
      by: { type: nonNull(listOf(types.groupByFieldEnum(model))), description: "Fields to group by (at least one)." },
      where: { type: types.whereInput(model) },
      orderBy: { type: listOf(types.orderByInput(model)), description: "Only grouped fields; default: every grouped field ascending (enums in declaration order)." },
    };
    if (ir.config.softDeletes) groupArgs.deleted = { type: types.deletedFilter, defaultValue: "exclude" };
    query[n.history] = {
      type: nonNull(listOf(types.recordEvent())),
      description: `The ${model.name}'s change history, oldest first (the audit panel); needs read access to the record, trashed and destroyed ones included.`,
      args: { id: { type: nonNull(GraphQLID) } },
      resolve: historyResolver(model),
    };
    query[n.groupBy] = {
      type: nonNull(listOf(types.groupType(model))),
      description: "Groups with their count and the sum/avg/min/max fields selected (Kanban column totals), in one statement.",
      args: groupArgs,
      resolve: groupByResolver(ir, model),
      extensions: listExtension("groups"),
    };

    const r = mutationResolvers(ir, model);
    mutation[n.create] = { type: object, args: { data: { type: nonNull(types.createInput(model)) } }, resolve: r.create };
    mutation[n.update] = {
      type: object,
      args: { ...uniqueArgs, data: { type: nonNull(types.updateInput(model)) }, expectedVersion: { type: GraphQLInt, description: "Fail with CONFLICT unless the record is at this version." } },
      resolve: r.update,
    };
    mutation[n.upsert] = { type: object, args: { ...uniqueArgs, upsert: { type: nonNull(types.upsertInput(model)) } }, resolve: r.upsert };
    mutation[n.delete] = {
      type: object,
      description: ir.config.softDeletes ? "Soft delete: the record moves to the trash (restore brings it back)." : "Deletes the record (soft deletes are off).",
      args: uniqueArgs,
      resolve: r.delete,
    };
    if (ir.config.softDeletes) mutation[n.restore] = { type: object, description: "Brings a record back from the trash.", args: uniqueArgs, resolve: r.restore };
    mutation[n.destroy] = { type: object, description: "Hard delete; returns the record as it was.", args: uniqueArgs, resolve: r.destroy };
    mutation[n.updateMany] = {
      type: nonNull(types.batchPayload),
      args: { where: { type: types.whereInput(model) }, data: { type: nonNull(types.updateManyInput(model)) } },
      resolve: r.updateMany,
    };
    mutation[n.deleteMany] = {
      type: nonNull(types.batchPayload),
      description: ir.config.softDeletes ? "Soft-deletes every matching record." : "Deletes every matching record.",
      args: { where: { type: types.whereInput(model) } },
      resolve: r.deleteMany,
    };

    if (ir.config.subscriptions) {
      subscription[n.changed] = {
        type: nonNull(types.changeEvent(model)),
        description: `Committed changes of ${model.plural} the subscriber may read, filtered by \`where\` and \`events\` (over WebSocket at /graphql/ws).`,
        args: {
          where: { type: types.whereInput(model), description: "Only records matching this filter (evaluated by the engine when the event is delivered)." },
          events: { type: listOf(types.changeEventType()), description: "Only these kinds of change (default: all)." },
        },
        subscribe: changeSubscriber(ir, model) as Field["subscribe"],
        resolve: changeResolver() as Field["resolve"],
      };
    }
  }
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: query }),
    mutation: new GraphQLObjectType({ name: "Mutation", fields: mutation }),
    ...(Object.keys(subscription).length > 0 ? { subscription: new GraphQLObjectType({ name: "Subscription", fields: subscription }) } : {}),
    types: ir.models.map((m) => types.objectType(m)),
  });
}
