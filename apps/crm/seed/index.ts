export * from "./generateDemoData.ts";
export { Random, hashString, uuidFrom, uuidFromString } from "./random.ts";
export { seed, demoUsers, type SeedSummary } from "./seedDemoData.ts";
