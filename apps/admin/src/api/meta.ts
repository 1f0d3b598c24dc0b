// The API's description for the signed-in principal (GET /api/meta): the UI builds every screen
// from it, so a model added to schema.ts appears with no UI code.
import { useQuery } from "@tanstack/react-query";
import type { ApiDescription, FieldDescription, ModelDescription } from "@tessera/graphql";
import { rest } from "./client.ts";

export type { ApiDescription, FieldDescription, ModelDescription };

export function useMeta() {
  return useQuery({ queryKey: ["meta"], queryFn: () => rest<ApiDescription>("/api/meta"), staleTime: 5 * 60_000 });
}

export function modelByName(meta: ApiDescription, name: string): ModelDescription | undefined {
  return meta.models.find((m) => m.name === name);
}

export function fieldOf(model: ModelDescription, name: string): FieldDescription | undefined {
  return model.fields.find((f) => f.name === name);
}

/** Fields whose values name a record: ui.displayField (one or several), and the last name next to a lone first name. */
export function displayFieldNames(model: ModelDescription): string[] {
  const names = model.displayFields;
  const lastName = names.length === 1 && names[0] === "firstName" && model.fields.some((f) => f.name === "lastName");
  return lastName ? [...names, "lastName"] : names;
}

/** The record's name from its display fields' values, joined with a space ("Ada Lovelace"); "" when all are empty. */
export function displayText(model: ModelDescription, row: Record<string, unknown>): string {
  return displayFieldNames(model)
    .map((n) => row[n])
    .filter((v) => v !== null && v !== undefined && v !== "")
    .map(String)
    .join(" ");
}

/** Columns of the list view: ui.listView, else the display field and a few more. */
export function defaultColumns(model: ModelDescription): string[] {
  if (model.listView.length > 0) return model.listView;
  const visible = model.fields.filter((f) => !f.system && f.type !== "json" && f.type !== "text").map((f) => f.name);
  return [model.displayField, ...visible.filter((n) => n !== model.displayField)].slice(0, 5);
}

/** Fields of the create/edit form: ui.editForm, else every writable field. */
export function formFields(model: ModelDescription): FieldDescription[] {
  const names = model.editForm.length > 0 ? model.editForm : model.fields.filter((f) => f.writable).map((f) => f.name);
  return names.map((n) => fieldOf(model, n)).filter((f): f is FieldDescription => f !== undefined && f.writable);
}
