import type { FieldIR, ModelIR, RelationIR, SchemaIR } from "./ir.ts";

export type SchemaIndex = SchemaIR;

export function findModel(schema: SchemaIR, name: string): ModelIR | undefined {
  return schema.models.find((m) => m.name === name);
}

export function findField(model: ModelIR, name: string): FieldIR | undefined {
  return model.fields.find((f) => f.name === name);
}

export function findRelation(model: ModelIR, name: string): RelationIR | undefined {
  return model.relations.find((r) => r.name === name);
}
