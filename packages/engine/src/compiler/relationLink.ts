// How a row of a model is linked to the rows of a related model, as a predicate on both aliases.
import { quoteIdent } from "@tessera/db";
import { findField, findModel, type FieldIR, type ModelIR, type RelationIR } from "@tessera/schema";
import type { CompileContext } from "./CompileContext.ts";
import { columnRef } from "./fieldOutput.ts";

export function primaryKeyField(model: ModelIR): FieldIR {
  const field = findField(model, model.primaryKey);
  if (!field) throw new Error(`model ${model.name} has no primary key field ${model.primaryKey}`);
  return field;
}

export function relationTarget(cc: CompileContext, relation: RelationIR): ModelIR {
  const target = findModel(cc.schema, relation.target);
  if (!target) throw new Error(`relationship ${relation.name} targets unknown model ${relation.target}`);
  return target;
}

function fieldColumn(model: ModelIR, fieldName: string): string {
  const field = findField(model, fieldName);
  if (!field) throw new Error(`model ${model.name} has no field ${fieldName}`);
  return field.column;
}

/** Predicate linking `sourceAlias` (a row of `source`) to `targetAlias` (a row of the relation's target). */
export function relationLink(cc: CompileContext, source: ModelIR, sourceAlias: string, relation: RelationIR, targetAlias: string): string {
  const target = relationTarget(cc, relation);
  switch (relation.kind) {
    case "belongsTo":
      return `${columnRef(targetAlias, primaryKeyField(target).column)} = ${columnRef(sourceAlias, fieldColumn(source, relation.foreignKey))}`;
    case "hasMany":
      return `${columnRef(targetAlias, fieldColumn(target, relation.foreignKey))} = ${columnRef(sourceAlias, primaryKeyField(source).column)}`;
    case "manyToMany": {
      const join = cc.alias();
      return (
        `EXISTS (SELECT 1 FROM ${quoteIdent(relation.through)} AS ${quoteIdent(join)}` +
        ` WHERE ${columnRef(join, relation.sourceKey)} = ${columnRef(sourceAlias, primaryKeyField(source).column)}` +
        ` AND ${columnRef(join, relation.targetKey)} = ${columnRef(targetAlias, primaryKeyField(target).column)})`
      );
    }
  }
}

export function isToMany(relation: RelationIR): boolean {
  return relation.kind !== "belongsTo";
}
