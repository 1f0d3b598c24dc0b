// A module resolution hook (node:module register): an app folder outside this repository has no
// node_modules holding the Tessera packages its schema.ts and seed import (`@tessera/schema`, …).
// When Node cannot resolve such an import from the app, it is resolved from the CLI's own package
// instead, so the app is read by the same @tessera/schema the running CLI uses (its IR must match
// the engine's). Imports the app can resolve itself (its own node_modules) are left alone. Plain
// JavaScript: hooks run in Node's loader thread, which need not have a TypeScript loader.
const CLI_PACKAGE = new URL("../package.json", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!specifier.startsWith("@tessera/") || error?.code !== "ERR_MODULE_NOT_FOUND" || context.parentURL === CLI_PACKAGE) throw error;
    return nextResolve(specifier, { ...context, parentURL: CLI_PACKAGE });
  }
}
