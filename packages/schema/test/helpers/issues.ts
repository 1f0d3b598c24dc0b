import { expect } from "vitest";
import { normaliseSchema, readInterfaceSchema, SchemaLoadError, type SchemaIR, type SchemaIssue } from "@tessera/schema";

/** The issues of the SchemaLoadError `load` throws; fails the test when it throws nothing or something else. */
export function issuesOf(load: () => unknown): SchemaIssue[] {
  try {
    load();
  } catch (error) {
    if (error instanceof SchemaLoadError) return error.issues;
    throw error;
  }
  throw new Error("expected a SchemaLoadError, but the schema loaded");
}

/** Asserts that loading fails with an issue naming `model` and `key` (and matching `message` if given). */
export function expectIssue(load: () => unknown, model: string, key: string, message?: RegExp): void {
  const issues = issuesOf(load);
  expect(issues).toContainEqual(
    expect.objectContaining({ model, key, ...(message ? { message: expect.stringMatching(message) } : {}) }),
  );
}

/** Reads and normalises an interface-form schema given as source text. */
export function loadSource(source: string): SchemaIR {
  return normaliseSchema(readInterfaceSchema(source, "inline.ts"));
}
