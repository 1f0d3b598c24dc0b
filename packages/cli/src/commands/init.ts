// `tessera init <dir> --template crm|blank`: a new app folder, and the commands that run it.
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_TENANT } from "../demoTenant.ts";

const CLI_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const REPO_ROOT = resolve(CLI_ROOT, "../..");

interface Template {
  source: string;
  /** Entries copied from the source; a missing one is skipped. */
  entries: string[];
}

/**
 * crm is the repository's flagship app; blank ships with the CLI (packages/cli/templates) because it
 * exists only to be copied, not run in place.
 */
const TEMPLATES: Record<string, Template> = {
  crm: { source: join(REPO_ROOT, "apps", "crm"), entries: ["schema.ts", "seed", "migrations"] },
  blank: { source: join(CLI_ROOT, "templates", "blank"), entries: ["schema.ts"] },
};

const GITIGNORE = `# The embedded database and the dev issuer's signing key (the --data-dir the next steps use).
.tessera/
node_modules/
`;

/** A word the shell passes through as is, or the word in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The next steps, as commands to run from the folder init ran in; `dir` as the user typed it. */
export function nextSteps(dir: string, template: string): string[] {
  const target = resolve(dir);
  const app = relative(process.cwd(), target) === "" ? "." : dir;
  // The database beside the app, not the current folder's default (./.tessera/data): run from the
  // repository root, the default would be the CRM's database.
  const where = `--app ${shellQuote(app)} --data-dir ${shellQuote(join(app, ".tessera", "data"))}`;
  const tessera = "npx tessera";
  if (template === "crm") {
    return [
      `Next steps, from ${process.cwd()}:`,
      `  ${tessera} migrate ${where}`,
      `  ${tessera} start ${where}`,
      `(start seeds demo data on the first run and prints a token for the demo admin)`,
    ];
  }
  // The tenant `start` offers the admin UI's dev sign-in for: its members are listed on the sign-in
  // page, so the token's user can also sign in there after its first request.
  const tenant = DEMO_TENANT.id;
  return [
    `Next steps, from ${process.cwd()}:`,
    `  ${tessera} migrate ${where}`,
    `  ${tessera} tenant create --id ${tenant} --name ${shellQuote(basename(target))} ${where}`,
    `  TESSERA_ROLE_SOURCE=token ${tessera} start ${where}`,
    `Then, in a second shell, a token for any identity provider's user (here auth0|abc) in that tenant`,
    `(with TESSERA_ROLE_SOURCE=token the tenant and role come from the token, and the user is created on first use):`,
    `  ${tessera} token --sub ${shellQuote("auth0|abc")} --role member --tenant ${tenant} --data-dir ${shellQuote(join(app, ".tessera", "data"))}`,
    `and send it as \`authorization: Bearer <token>\` to http://127.0.0.1:4000/graphql, or paste it on the sign-in page of the admin UI at http://127.0.0.1:4000/.`,
  ];
}

export function initCommand(options: { dir: string; template: string }): number {
  const template = TEMPLATES[options.template];
  if (!template) {
    console.error(`--template: unknown template '${options.template}' (available: ${Object.keys(TEMPLATES).join(", ")})`);
    return 2;
  }
  const target = resolve(options.dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    console.error(`${target} is not empty; choose a new folder`);
    return 1;
  }
  mkdirSync(target, { recursive: true });
  for (const entry of template.entries) {
    if (existsSync(join(template.source, entry))) cpSync(join(template.source, entry), join(target, entry), { recursive: true });
  }
  // ESM, so schema.ts's `import` stays an import outside this repository too (there, a CommonJS
  // require of @tessera/schema would fail).
  writeFileSync(join(target, "package.json"), `${JSON.stringify({ name: basename(target).toLowerCase().replace(/[^a-z0-9._-]+/g, "-"), private: true, type: "module" }, null, 2)}\n`);
  writeFileSync(join(target, ".gitignore"), GITIGNORE);
  console.log(`created ${target} from the ${options.template} template`);
  console.log(nextSteps(options.dir, options.template).join("\n"));
  return 0;
}
