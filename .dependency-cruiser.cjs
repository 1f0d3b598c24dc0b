// Dependency boundaries (issue #12): `npm run deps`, part of `npm test`.
//
// 1. Layers. The allowed graph between workspace packages is written out below, once: production code
//    (anything in a package that is not a test) imports only the packages listed for it. The rule of the
//    house is schema ← db ← engine ← (auth, graphql, realtime, csv) ← server ← cli, apps use packages and
//    packages never import apps. Among the four middle packages one edge exists and is allowed: csv → auth
//    (CSV routes are REST routes and answer errors with auth's `sendApiError`, like every REST route).
// 2. Declarations. A workspace imports only the workspaces its package.json declares in `dependencies`
//    (read from the package.json files each run, so a new import needs a new declaration).
// Tests (`test/` folders, `*.test.ts`) are composition roots like e2e/ and the root test/: they may use
// packages above their own (a csv test starts the server) and the CRM app as a fixture, without declaring them.
const fs = require("node:fs");
const path = require("node:path");

/** Which workspace packages the production code of each package may import. */
const ALLOWED = {
  schema: [],
  db: ["schema"],
  engine: ["schema", "db"],
  auth: ["schema", "db", "engine"],
  graphql: ["schema", "db", "engine"],
  realtime: ["schema", "db", "engine"],
  csv: ["schema", "db", "engine", "auth"],
  server: ["schema", "db", "engine", "auth", "graphql", "realtime", "csv"],
  cli: ["schema", "db", "engine", "auth", "graphql", "realtime", "csv", "server"],
};

// A file is test code when it sits under a test/ or e2e/ folder or is named *.test.ts(x).
const TEST = "(^|/)(test|e2e)/|\\.test\\.tsx?$";
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every workspace: folder (packages/x, apps/y) and the workspace names it declares in `dependencies`. */
function workspaces() {
  const root = __dirname;
  const found = [];
  for (const parent of ["packages", "apps"]) {
    for (const dir of fs.readdirSync(path.join(root, parent))) {
      const file = path.join(root, parent, dir, "package.json");
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
      found.push({ dir: `${parent}/${dir}`, name: pkg.name, dependencies: Object.keys(pkg.dependencies ?? {}) });
    }
  }
  return found;
}

function layerRules() {
  const packages = Object.keys(ALLOWED);
  const rules = packages.map((name) => ({
    name: `layer-${name}`,
    comment: `packages/${name} may import only ${ALLOWED[name].join(", ") || "no workspace package"} (the layer rule in .dependency-cruiser.cjs)`,
    severity: "error",
    from: { path: `^packages/${name}/`, pathNot: TEST },
    to: { path: "^(packages|apps)/", pathNot: `^packages/(${[name, ...ALLOWED[name]].join("|")})/` },
  }));
  // A package folder that is not in ALLOWED has no layer yet: say so rather than let it import anything.
  rules.push({
    name: "layer-unknown-package",
    comment: "a package missing from ALLOWED in .dependency-cruiser.cjs: give it its place in the layers",
    severity: "error",
    from: { path: `^packages/(?!(${packages.join("|")})/)[^/]+/`, pathNot: TEST },
    to: { path: "^(packages|apps)/" },
  });
  rules.push({
    name: "apps-not-each-other",
    comment: "an app uses packages, never another app",
    severity: "error",
    from: { path: "^apps/([^/]+)/" },
    to: { path: "^apps/", pathNot: "^apps/$1/" },
  });
  rules.push({
    name: "admin-browser-entry-points",
    comment:
      "the admin UI runs in the browser: at run time it imports only the browser-safe entry points " +
      "(@tessera/schema/uuid, @tessera/realtime/client); anything else from packages must be `import type`",
    severity: "error",
    from: { path: "^apps/admin/src/" },
    to: {
      path: "^packages/",
      pathNot: "^packages/(schema/src/uuid\\.ts|realtime/src/client/)",
      dependencyTypesNot: ["type-only"],
    },
  });
  return rules;
}

function declarationRules() {
  const all = workspaces();
  const byName = new Map(all.map((w) => [w.name, w]));
  return all.map((w) => {
    const declared = w.dependencies.filter((d) => byName.has(d)).map((d) => byName.get(d).dir);
    const allowed = [w.dir, ...declared].map(escape).join("|");
    return {
      name: `declared-${w.dir.replace("/", "-")}`,
      comment: `${w.name} imports a workspace package its package.json does not declare in "dependencies"`,
      severity: "error",
      from: { path: `^${escape(w.dir)}/`, pathNot: TEST },
      to: { path: "^(packages|apps)/", pathNot: `^(${allowed})/` },
    };
  });
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules(),
    ...declarationRules(),
    {
      name: "workspace-by-name",
      comment:
        "production code reaches another workspace through its package name (its `exports`), not a relative path into its files",
      severity: "error",
      from: { path: "^(packages|apps)/([^/]+)/", pathNot: TEST },
      // A named import of a workspace resolves to its files too, marked "aliased" or "undetermined" rather than "local".
      to: { path: "^(packages|apps)/", pathNot: "^$1/$2/", dependencyTypes: ["local"], dependencyTypesNot: ["aliased"] },
    },
    {
      name: "no-test-code-in-production",
      comment: "production code never imports test code",
      severity: "error",
      from: { path: "^(packages|apps)/", pathNot: TEST },
      to: { path: TEST },
    },
    {
      // Without this an import the resolver cannot follow would slip past every rule above.
      name: "workspace-import-resolves",
      comment: "an import of a @tessera/* package that does not resolve to a workspace file",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, path: "^@tessera/" },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    exclude: { path: "(^|/)(node_modules|dist|\\.tessera)/" },
    moduleSystems: ["es6", "cjs"],
    // `import type` counts: a type-only import still ties one package to another.
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
      mainFields: ["module", "main", "types", "typings"],
    },
    cache: false,
  },
};
