export * from "./generateDemoData.ts";
export { Random, hashString, uuidFrom, uuidFromString } from "./random.ts";
export { seed, type SeedSummary } from "./seedDemoData.ts";
