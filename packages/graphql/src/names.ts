// API names derived from the IR, in one place (Hygraph conventions).
import type { ModelIR } from "@tessera/schema";

export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Root and type names of one model. */
export function modelNames(model: ModelIR) {
  const type = model.name;
  const plural = model.plural;
  const Plural = upperFirst(plural);
  return {
    type,
    single: lowerFirst(type),
    plural,
    connection: `${plural}Connection`,
    groupBy: `${plural}GroupBy`,
    history: `${lowerFirst(type)}History`,
    create: `create${type}`,
    update: `update${type}`,
    upsert: `upsert${type}`,
    delete: `delete${type}`,
    restore: `restore${type}`,
    destroy: `destroy${type}`,
    updateMany: `updateMany${Plural}Connection`,
    deleteMany: `deleteMany${Plural}Connection`,
    whereInput: `${type}WhereInput`,
    whereUniqueInput: `${type}WhereUniqueInput`,
    orderByInput: `${type}OrderByInput`,
    createInput: `${type}CreateInput`,
    updateInput: `${type}UpdateInput`,
    updateManyInput: `${type}UpdateManyInput`,
    upsertInput: `${type}UpsertInput`,
    createOneInline: `${type}CreateOneInlineInput`,
    updateOneInline: `${type}UpdateOneInlineInput`,
    createManyInline: `${type}CreateManyInlineInput`,
    updateManyInline: `${type}UpdateManyInlineInput`,
    connectionType: `${type}Connection`,
    edge: `${type}Edge`,
    aggregate: `${type}Aggregate`,
    sumAggregate: `${type}SumAggregate`,
    avgAggregate: `${type}AvgAggregate`,
    minMaxAggregate: `${type}MinMaxAggregate`,
    groupByField: `${type}GroupByField`,
    group: `${type}Group`,
    groupKey: `${type}GroupKey`,
    changed: `${lowerFirst(type)}Changed`,
    changeEvent: `${type}ChangeEvent`,
  };
}

export type ModelNames = ReturnType<typeof modelNames>;
