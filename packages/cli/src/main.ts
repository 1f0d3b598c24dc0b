#!/usr/bin/env node
// The `tessera` command. Each command's module is imported when it runs, so `--help` and the small
// commands do not load the server, GraphQL and realtime stacks first.
import { parseArgs } from "node:util";
import { COMMON_OPTIONS, commonOptions } from "./options.ts";
import { commandUsage, USAGE } from "./usage.ts";

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    // `tessera help user add` prints that command's usage.
    const usage = command === "help" && rest.length > 0 ? commandUsage(rest[0], rest[1]) : USAGE;
    if (usage === undefined) throw new UsageError(`unknown command '${rest[0]}'`);
    console.log(usage);
    return command ? 0 : 1;
  }
  // `--help` anywhere after the command prints its usage before any other check of the arguments.
  if (rest.includes("--help") || rest.includes("-h")) {
    const usage = commandUsage(command, rest.find((a) => !a.startsWith("-")));
    if (usage === undefined) throw new UsageError(`unknown command '${command}'`);
    console.log(usage);
    return 0;
  }
  const parse = <O extends Record<string, { type: "string" | "boolean"; short?: string; default?: string | boolean; multiple?: boolean }>>(extra: O) =>
    parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...extra }, allowPositionals: true, strict: true });
  /** The group's subcommand, refused with the group's subcommands when missing or unknown. */
  const subcommand = (positionals: string[], allowed: readonly string[]): string => {
    const sub = positionals[0];
    if (sub === undefined || !allowed.includes(sub)) {
      throw new UsageError(`${command} takes ${allowed.join(", ")}${sub === undefined ? "" : `, not '${sub}'`} (tessera ${command} --help)`);
    }
    return sub;
  };
  switch (command) {
    case "migrate": {
      const { values } = parse({ check: { type: "boolean" } });
      return (await import("./commands/migrate.ts")).migrateCommand({ ...commonOptions(values), check: values.check === true });
    }
    case "codegen": {
      const { values } = parse({ out: { type: "string" } });
      return (await import("./commands/codegen.ts")).codegenCommand({ ...commonOptions(values), out: values.out });
    }
    case "seed": {
      const { values } = parse({ scale: { type: "string" }, tenant: { type: "string" } });
      const scale = values.scale === undefined ? undefined : Number(values.scale);
      if (scale !== undefined && (!Number.isInteger(scale) || scale < 1)) throw new UsageError("--scale takes a positive whole number");
      return (await import("./commands/seed.ts")).seedCommand({ ...commonOptions(values), scale, tenant: values.tenant });
    }
    case "tenant": {
      const { values, positionals } = parse({
        id: { type: "string" },
        name: { type: "string" },
        slug: { type: "string" },
        json: { type: "boolean" },
        issuer: { type: "string" },
        "external-id": { type: "string" },
        tenant: { type: "string" },
      });
      const action = subcommand(positionals, ["create", "list", "link", "unlink"]);
      const common = commonOptions(values);
      if (action === "list") return (await import("./commands/tenant.ts")).tenantListCommand({ ...common, json: values.json === true });
      if (action === "create") {
        if (!values.name) throw new UsageError("tenant create needs --name");
        return (await import("./commands/tenant.ts")).tenantCreateCommand({ ...common, name: values.name, id: values.id, slug: values.slug });
      }
      if (!values.issuer) throw new UsageError(`tenant ${action} needs --issuer (the identity provider's issuer URL, as in its tokens)`);
      if (!values["external-id"]) throw new UsageError(`tenant ${action} needs --external-id (the identity provider's id of the tenant)`);
      if (action === "unlink") return (await import("./commands/tenant.ts")).tenantUnlinkCommand({ ...common, issuer: values.issuer, externalId: values["external-id"] });
      if (!values.tenant) throw new UsageError("tenant link needs --tenant (a tenant id)");
      return (await import("./commands/tenant.ts")).tenantLinkCommand({ ...common, issuer: values.issuer, externalId: values["external-id"], tenant: uuidFlag("tenant", values.tenant) });
    }
    case "user": {
      const { values, positionals } = parse({ json: { type: "boolean" }, email: { type: "string" }, name: { type: "string" }, issuer: { type: "string" }, subject: { type: "string" } });
      const action = subcommand(positionals, ["list", "add"]);
      const common = commonOptions(values);
      if (action === "list") return (await import("./commands/user.ts")).userListCommand({ ...common, json: values.json === true });
      if (!values.email) throw new UsageError("user add needs --email");
      if ((values.issuer === undefined) !== (values.subject === undefined)) {
        throw new UsageError(`user add needs --issuer and --subject together (${values.issuer === undefined ? "--issuer" : "--subject"} is missing)`);
      }
      const identity = values.issuer !== undefined && values.subject !== undefined ? { issuer: values.issuer, subject: values.subject } : undefined;
      return (await import("./commands/user.ts")).userAddCommand({ ...common, email: values.email, name: values.name, identity });
    }
    case "member": {
      const { values, positionals } = parse({ tenant: { type: "string" }, user: { type: "string" }, email: { type: "string" }, role: { type: "string" }, team: { type: "string" } });
      const action = subcommand(positionals, ["add", "remove"]);
      if (!values.tenant) throw new UsageError(`member ${action} needs --tenant`);
      if ((values.user === undefined) === (values.email === undefined)) throw new UsageError(`member ${action} needs one of --user (a user id) or --email`);
      const who = values.user !== undefined ? { userId: uuidFlag("user", values.user) } : { email: values.email! };
      const common = { ...commonOptions(values), tenant: uuidFlag("tenant", values.tenant), who };
      if (action === "remove") {
        if (values.role !== undefined || values.team !== undefined) throw new UsageError("member remove takes no --role or --team: it removes every membership of the user in the tenant");
        return (await import("./commands/member.ts")).memberRemoveCommand(common);
      }
      if (!values.role) throw new UsageError("member add needs --role");
      return (await import("./commands/member.ts")).memberAddCommand({ ...common, role: values.role, team: values.team === undefined ? undefined : uuidFlag("team", values.team) });
    }
    case "apikey": {
      const { values, positionals } = parse({
        tenant: { type: "string" },
        name: { type: "string" },
        id: { type: "string" },
        role: { type: "string", multiple: true },
        permission: { type: "string", multiple: true },
      });
      const action = subcommand(positionals, ["create", "list", "revoke"]);
      if (!values.tenant) throw new UsageError("apikey needs --tenant");
      const common = { ...commonOptions(values), tenant: values.tenant };
      if (action === "create") {
        if (!values.name) throw new UsageError("apikey create needs --name");
        return (await import("./commands/apikey.ts")).apiKeyCommand({ ...common, action, name: values.name, roles: (values.role as string[] | undefined) ?? [], permissions: (values.permission as string[] | undefined) ?? [] });
      }
      if (action === "list") return (await import("./commands/apikey.ts")).apiKeyCommand({ ...common, action });
      if (!values.id) throw new UsageError("apikey revoke needs --id");
      return (await import("./commands/apikey.ts")).apiKeyCommand({ ...common, action: "revoke", id: values.id });
    }
    case "permissions": {
      const { values } = parse({ json: { type: "boolean" } });
      return (await import("./commands/permissions.ts")).permissionsCommand({ ...commonOptions(values), json: values.json === true });
    }
    case "token": {
      const { values } = parse({ sub: { type: "string" }, role: { type: "string", multiple: true }, tenant: { type: "string" }, team: { type: "string", multiple: true }, expires: { type: "string" } });
      if (!values.sub || !values.tenant) throw new UsageError("token needs --sub and --tenant");
      return (await import("./commands/token.ts")).tokenCommand({
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
      return (await import("./commands/start.ts")).startCommand({ ...commonOptions(values), port, host: values.host ?? process.env.HOST ?? "127.0.0.1", seed: values["no-seed"] !== true,
        ...(values["no-admin"] === true ? { adminDir: null } : values["admin-dir"] ? { adminDir: values["admin-dir"] } : {}),
      });
    }
    case "init": {
      const { values, positionals } = parse({ template: { type: "string", default: "crm" } });
      if (positionals.length !== 1) throw new UsageError("init takes one folder: tessera init <dir> --template crm|blank");
      return (await import("./commands/init.ts")).initCommand({ dir: positionals[0], template: values.template as string });
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

export class UsageError extends Error {}

/** Any UUID, as the database's uuid type reads it (a local copy: @tessera/schema loads the TypeScript compiler). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The flag's value when it is a UUID; a usage error naming the flag otherwise. */
function uuidFlag(flag: string, value: string): string {
  if (!UUID.test(value)) throw new UsageError(`--${flag} takes an id (a UUID), got '${value}'`);
  return value.toLowerCase();
}

/** Runs the command as the executable does: errors printed (a usage error with the usage), an exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      // The command's own usage when there is one: shorter, and it names the flags in question.
      const [command, sub] = argv;
      console.error(`${error.message}\n\n${(command && commandUsage(command, sub)) || USAGE}`);
      return 2;
    }
    // Errors with a code (a bad schema, a setting, the engine's validation) are the user's to fix:
    // their message says what is wrong, a stack trace would only bury it.
    const coded = error instanceof Error && typeof (error as { code?: unknown }).code === "string";
    console.error(error instanceof Error ? (coded ? error.message : (error.stack ?? error.message)) : String(error));
    return 1;
  }
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/").split("/").pop()!);
if (isEntry) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
