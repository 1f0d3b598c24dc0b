export { readInterfaceSchema } from "./readInterfaceSchema.ts";
export { loadInterfaceSchema } from "./loadInterfaceSchema.ts";
export type { ID, Text, Int, Float, Decimal, Money, DateOnly, DateTime, Json, InterfaceModel, InterfaceSchema } from "./types.ts";
