// Usage text of every command and subcommand, in one table, so the overview (`tessera --help`) and
// each command's own `--help` are built from the same entries and cannot drift apart.

export interface CommandUsage {
  /** `"tenant create"`: the words that select the command. */
  name: string;
  /** The rest of the synopsis line: positionals and flags. */
  args: string;
  /** One line (or a few) for the overview. */
  summary: string;
  /** More detail, printed only by the command's own --help. */
  details?: string;
}

export const COMMANDS: readonly CommandUsage[] = [
  {
    name: "init",
    args: "<dir> [--template crm|blank]",
    summary: "create an app folder from a template (default crm); prints the next steps",
    details: "crm: the full CRM (schema, migrations, demo data). blank: one example model (Note), no identity models of its own\n(User, Team and Membership are the platform's). The folder must be new or empty.",
  },
  {
    name: "migrate",
    args: "[--check]",
    summary: "write a migration when schema.ts changed, apply pending ones\n(--check: exit 1 on drift or unapplied files, write nothing)",
  },
  { name: "codegen", args: "[--out FILE]", summary: "TypeScript types of every model (default <app>/generated/types.ts)" },
  { name: "seed", args: "[--scale N] [--tenant ID]", summary: "demo data (N deals at scale); needs an app with a seed module" },
  {
    name: "start",
    args: "[--port P] [--host H] [--no-seed] [--admin-dir D | --no-admin]",
    summary: "migrate, seed on first run, serve the API and the admin UI (alias: serve)",
    details:
      "--port defaults to $PORT, else 4000; --host to $HOST, else 127.0.0.1.\n--admin-dir serves a built UI from D, --no-admin none (default: apps/admin, built when stale).\nDeployment settings come from the environment (TESSERA_ROLE_SOURCE, OIDC_ISSUER, … see the README).",
  },
  { name: "tenant create", args: "--name N [--id UUID] [--slug S]", summary: "register a tenant (idempotent); prints its id" },
  { name: "tenant list", args: "[--json]", summary: "every tenant: id, name, slug and the identity providers' ids linked to it" },
  {
    name: "tenant link",
    args: "--issuer I --external-id X --tenant T",
    summary: "make an identity provider's tenant id (e.g. a ZITADEL organisation) stand for tenant T",
  },
  { name: "tenant unlink", args: "--issuer I --external-id X", summary: "remove such a link" },
  { name: "user list", args: "[--json]", summary: "every platform user: id, email, name and identities (issuer, subject)" },
  {
    name: "user add",
    args: "--email E [--name N] [--issuer I --subject S]",
    summary: "create a platform user (an existing e-mail is reported, not duplicated); prints its id;\nwith --issuer/--subject the identity provider's user maps to it",
    details: "Tokens of the local dev issuer (`tessera token`) have the issuer tessera-dev.",
  },
  {
    name: "member add",
    args: "--tenant T (--user ID | --email E) --role R [--team ID]",
    summary: "give a user a role in a tenant (a Membership row; the app's Membership.role decides which roles exist)",
  },
  {
    name: "member remove",
    args: "--tenant T (--user ID | --email E)",
    summary: "delete the user's memberships of the tenant (the user stays)",
  },
  {
    name: "apikey create",
    args: "--tenant T --name N [--role R …] [--permission P …]",
    summary: "an API key for machines (printed once; only its hash is kept)",
  },
  { name: "apikey list", args: "--tenant T", summary: "the tenant's API keys, without their secrets" },
  { name: "apikey revoke", args: "--tenant T --id ID", summary: "revoke an API key" },
  { name: "permissions", args: "[--json]", summary: "every permission (<app>.<model>.<action>) with the roles granted it" },
  {
    name: "token",
    args: "--sub ID --role R --tenant T [--team X] [--expires 8h]",
    summary: "a Bearer token from the local dev issuer, for any subject (a user id, or an IdP's, e.g. auth0|abc)",
    details: "The signing key lives beside the database (the parent of --data-dir): use the --data-dir the server uses.",
  },
];

const COMMON = `Options for every command:
  --app DIR            folder holding schema.ts (default .)
  --data-dir DIR       embedded database folder (default ./.tessera/data)
  --database-url URL   PostgreSQL server (default $DATABASE_URL; embedded when unset)
  -h, --help           print the usage of a command and exit`;

const line = (c: CommandUsage) => `tessera ${c.name} ${c.args}`;

function entries(list: readonly CommandUsage[]): string {
  return list.map((c) => `  ${line(c)}\n${c.summary.split("\n").map((s) => `      ${s}`).join("\n")}`).join("\n");
}

export const USAGE = `Usage: tessera <command> [options]

Commands:
${entries(COMMANDS)}

${COMMON}
`;

/** A group's names (`tenant`, `user`, `member`, `apikey`): commands whose first word is it. */
export const GROUPS: readonly string[] = [...new Set(COMMANDS.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0]))];

/**
 * The usage of `command` (with `sub` for a group): the command's own entry, or every entry of a
 * group when `sub` is none of its subcommands. Undefined for an unknown command.
 */
export function commandUsage(command: string, sub?: string): string | undefined {
  const name = command === "serve" || command === "dev" ? "start" : command;
  const own = COMMANDS.find((c) => c.name === (sub ? `${name} ${sub}` : name)) ?? COMMANDS.find((c) => c.name === name);
  if (own) return `Usage: ${line(own)}\n\n${[own.summary, own.details].filter(Boolean).join("\n\n")}\n\n${COMMON}\n`;
  const group = COMMANDS.filter((c) => c.name.startsWith(`${name} `));
  if (group.length === 0) return undefined;
  return `Usage: tessera ${name} <${group.map((c) => c.name.split(" ")[1]).join("|")}> [options]\n\n${entries(group)}\n\n${COMMON}\n`;
}
