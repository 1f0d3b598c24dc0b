export * from "./generateDemoData.ts";
export { Random, hashString, uuidFrom, uuidFromString } from "./random.ts";
