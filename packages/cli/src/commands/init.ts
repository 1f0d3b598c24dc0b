import { cpSync, existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
/** Templates are the apps shipped in this repository. */
const TEMPLATES: Record<string, string> = { crm: join(REPO_ROOT, "apps", "crm") };

export function initCommand(options: { dir: string; template: string }): number {
  const source = TEMPLATES[options.template];
  if (!source) {
    console.error(`unknown template '${options.template}' (available: ${Object.keys(TEMPLATES).join(", ")})`);
    return 1;
  }
  const target = resolve(options.dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    console.error(`${target} is not empty; choose a new folder`);
    return 1;
  }
  for (const entry of ["schema.ts", "seed", "migrations"]) {
    if (existsSync(join(source, entry))) cpSync(join(source, entry), join(target, entry), { recursive: true });
  }
  console.log(`created ${target} from the ${options.template} template; next: tessera migrate --app ${options.dir}`);
  return 0;
}
