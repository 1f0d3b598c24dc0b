export { main } from "./main.ts";
export { loadApp, type LoadedApp, type SeedFunction, type SeedOptions, type SeedSummary, type DemoUserInfo } from "./loadApp.ts";
export { generateTypes } from "./codegen/generateTypes.ts";
export { DEMO_TENANT } from "./demoTenant.ts";
