#!/usr/bin/env node
// The `tessera` command.
import { parseArgs } from "node:util";
import { COMMON_OPTIONS, commonOptions } from "./options.ts";
import { migrateCommand } from "./commands/migrate.ts";
import { codegenCommand } from "./commands/codegen.ts";
import { seedCommand } from "./commands/seed.ts";
import { startCommand } from "./commands/start.ts";
import { initCommand } from "./commands/init.ts";
import { tokenCommand } from "./commands/token.ts";
import { permissionsCommand } from "./commands/permissions.ts";
import { apiKeyCommand } from "./commands/apikey.ts";
import { tenantCreateCommand } from "./commands/tenant.ts";

const USAGE = `Usage: tessera <command> [options]

Commands:
  init <dir> --template crm     create an app folder from a template
  migrate [--check]             write a migration when schema.ts changed, apply pending ones
                                (--check: exit 1 on drift or unapplied files, write nothing)
  codegen [--out FILE]          TypeScript types of every model (default <app>/generated/types.ts)
  seed [--scale N] [--tenant ID] demo data (N deals at scale)
  start [--port P] [--no-seed]  migrate, seed on first run, serve the API and the admin UI (alias: serve)
        [--admin-dir D | --no-admin]  serve a built UI from D, or none (default: apps/admin, built when stale)
  tenant create --name N [--id UUID] [--slug S]
                                register a tenant (idempotent); prints its id
  apikey create --tenant T --name N [--role R …] [--permission P …]
                                an API key for machines (printed once; only its hash is kept)
  apikey list --tenant T | apikey revoke --tenant T --id ID
  permissions [--json]          every permission (<app>.<model>.<action>) with the roles granted it
  token --sub ID --role R --tenant T [--team X] [--expires 8h]
                                a Bearer token from the local dev issuer

Options for every command:
  --app DIR            folder holding schema.ts (default .)
  --data-dir DIR       embedded database folder (default ./.tessera/data)
  --database-url URL   PostgreSQL server (default $DATABASE_URL; embedded when unset)
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const parse = <O extends Record<string, { type: "string" | "boolean"; short?: string; default?: string | boolean; multiple?: boolean }>>(extra: O) =>
    parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...extra }, allowPositionals: true, strict: true });
  switch (command) {
    case "migrate": {
      const { values } = parse({ check: { type: "boolean" } });
      return migrateCommand({ ...commonOptions(values), check: values.check === true });
    }
    case "codegen": {
      const { values } = parse({ out: { type: "string" } });
      return codegenCommand({ ...commonOptions(values), out: values.out });
    }
    case "seed": {
      const { values } = parse({ scale: { type: "string" }, tenant: { type: "string" } });
      const scale = values.scale === undefined ? undefined : Number(values.scale);
      if (scale !== undefined && (!Number.isInteger(scale) || scale < 1)) throw new UsageError("--scale takes a positive whole number");
      return seedCommand({ ...commonOptions(values), scale, tenant: values.tenant });
    }
    case "tenant": {
      const { values, positionals } = parse({ id: { type: "string" }, name: { type: "string" }, slug: { type: "string" } });
      if (positionals[0] !== "create") throw new UsageError("tenant takes: create --name N [--id UUID]");
      if (!values.name) throw new UsageError("tenant create needs --name");
      return tenantCreateCommand({ ...commonOptions(values), name: values.name, id: values.id, slug: values.slug });
    }
    case "apikey": {
      const { values, positionals } = parse({
        tenant: { type: "string" },
        name: { type: "string" },
        id: { type: "string" },
        role: { type: "string", multiple: true },
        permission: { type: "string", multiple: true },
      });
      const action = positionals[0];
      if (!values.tenant) throw new UsageError("apikey needs --tenant");
      const common = { ...commonOptions(values), tenant: values.tenant };
      if (action === "create") {
        if (!values.name) throw new UsageError("apikey create needs --name");
        return apiKeyCommand({ ...common, action, name: values.name, roles: (values.role as string[] | undefined) ?? [], permissions: (values.permission as string[] | undefined) ?? [] });
      }
      if (action === "list") return apiKeyCommand({ ...common, action });
      if (action === "revoke") {
        if (!values.id) throw new UsageError("apikey revoke needs --id");
        return apiKeyCommand({ ...common, action, id: values.id });
      }
      throw new UsageError("apikey takes create, list or revoke");
    }
    case "permissions": {
      const { values } = parse({ json: { type: "boolean" } });
      return permissionsCommand({ ...commonOptions(values), json: values.json === true });
    }
    case "token": {
      const { values } = parse({ sub: { type: "string" }, role: { type: "string", multiple: true }, tenant: { type: "string" }, team: { type: "string", multiple: true }, expires: { type: "string" } });
      if (!values.sub || !values.tenant) throw new UsageError("token needs --sub and --tenant");
      return tokenCommand({
        ...commonOptions(values),
        sub: values.sub,
        roles: (values.role as string[] | undefined) ?? [],
        tenant: values.tenant,
        teams: (values.team as string[] | undefined) ?? [],
        expiresIn: values.expires ?? "8h",
      });
    }
    case "start":
    case "serve":
    case "dev": {
      const { values } = parse({ port: { type: "string" }, host: { type: "string" }, "no-seed": { type: "boolean" }, "admin-dir": { type: "string" }, "no-admin": { type: "boolean" } });
      const port = Number(values.port ?? process.env.PORT ?? 4000);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port takes a port number");
      return startCommand({ ...commonOptions(values), port, host: values.host ?? process.env.HOST ?? "127.0.0.1", seed: values["no-seed"] !== true,
        ...(values["no-admin"] === true ? { adminDir: null } : values["admin-dir"] ? { adminDir: values["admin-dir"] } : {}),
      });
    }
    case "init": {
      const { values, positionals } = parse({ template: { type: "string", default: "crm" } });
      if (positionals.length !== 1) throw new UsageError("init takes one folder: tessera init <dir> --template crm");
      return initCommand({ dir: positionals[0], template: values.template as string });
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

class UsageError extends Error {}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/").split("/").pop()!);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: Error) => {
      console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : (error.stack ?? error.message));
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
