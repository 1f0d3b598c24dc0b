import { readFileSync } from "node:fs";
import type { SchemaIR } from "../ir.ts";
import { normaliseSchema } from "../normaliseSchema.ts";
import { readInterfaceSchema } from "./readInterfaceSchema.ts";

/** Loads a `schema.ts` written in the interface form and returns its validated IR. */
export function loadInterfaceSchema(filePath: string): SchemaIR {
  return normaliseSchema(readInterfaceSchema(readFileSync(filePath, "utf8"), filePath));
}
