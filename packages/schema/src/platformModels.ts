// The identity models every app has, whether its schema declares them or not: users (platform data
// shared by tenants), teams and memberships (a user's roles in one tenant). The auth layer, the
// realtime hub (`user:<id>` channels), audit actors and the CLI rely on them, so an app of any domain
// works with tokens from any identity provider without declaring a User. An app may declare them to
// extend them: its fields, relationships, validation and ui hints are added to these; a platform field
// it declares again must keep its type (a Membership's `role` may become an enum of the app's roles).
import type { RawField, RawModel, RawSchema } from "./rawSchema.ts";

export const PLATFORM_MODEL_NAMES = ["User", "Team", "Membership"] as const;
export type PlatformModelName = (typeof PLATFORM_MODEL_NAMES)[number];

const string = (rules: string[] = [], required = false): RawField => ({ type: "string", required, rules });

export const PLATFORM_MODELS: Record<PlatformModelName, RawModel> = {
  User: {
    tenantScoped: false,
    fields: {
      email: string(["email", "unique", "max:255"]),
      name: string(["max:200"]),
      avatarUrl: string(["url"]),
      active: { type: "boolean", required: true, default: true },
    },
    searchable: ["name", "email"],
    // A tenant sees the users who are its members; only the system API (CLI, sign-in) changes users.
    access: { read: "authenticated" },
    rowRules: { read: [{ roles: "authenticated", where: { memberships_some: {} } }] },
    relationships: { memberships: { type: "hasMany", model: "Membership", foreignKey: "userId" } },
    ui: { displayField: "name", listView: ["name", "email", "active"] },
  },
  Team: {
    fields: { name: string(["max:120"], true) },
    access: { read: "authenticated", create: "admin", update: "admin", delete: "admin" },
    relationships: { memberships: { type: "hasMany", model: "Membership", foreignKey: "teamId" } },
    ui: { displayField: "name" },
  },
  Membership: {
    fields: {
      userId: { type: "id", required: true },
      teamId: { type: "id" },
      role: string(["max:60"], true),
    },
    relationships: {
      user: { type: "belongsTo", model: "User", foreignKey: "userId", onDelete: "cascade" },
      team: { type: "belongsTo", model: "Team", foreignKey: "teamId", onDelete: "set null" },
    },
    access: { read: "authenticated", create: "admin", update: "admin", delete: "admin" },
    indexes: [{ fields: ["userId", "teamId"], unique: false }],
    ui: { displayField: "role", listView: ["userId", "teamId", "role"] },
  },
};

export interface PlatformMergeIssue {
  model: string;
  key: string;
  message: string;
}

export function isPlatformModel(name: string): name is PlatformModelName {
  return (PLATFORM_MODEL_NAMES as readonly string[]).includes(name);
}

/** May the app declare a platform field again with this type? The same type, or an enum for a string. */
function compatible(platform: RawField, declared: RawField): boolean {
  return declared.type === platform.type || (platform.type === "string" && declared.type === "enum");
}

/**
 * The schema with the platform models added or extended. Issues name what an app may not change: a
 * platform field's type, or whether the model is tenant-scoped.
 */
export function withPlatformModels(raw: RawSchema): { schema: RawSchema; issues: PlatformMergeIssue[] } {
  const issues: PlatformMergeIssue[] = [];
  const models: Record<string, RawModel> = {};
  const declared = raw.models ?? {};
  // The app's models keep their order (a declared platform model keeps its place); the platform's
  // models the app did not declare come last.
  for (const [name, model] of Object.entries(declared)) {
    models[name] = isPlatformModel(name) ? extend(name, PLATFORM_MODELS[name], model, issues) : model;
  }
  for (const name of PLATFORM_MODEL_NAMES) if (!(name in models)) models[name] = PLATFORM_MODELS[name];
  return { schema: { ...raw, models }, issues };
}

function extend(name: PlatformModelName, platform: RawModel, app: RawModel | undefined, issues: PlatformMergeIssue[]): RawModel {
  if (app === undefined) return platform;
  if (app === null || typeof app !== "object") return app;
  const platformScoped = platform.tenantScoped ?? true;
  if (app.tenantScoped !== undefined && app.tenantScoped !== platformScoped) {
    issues.push({ model: name, key: "tenantScoped", message: `${name} is a platform model and is ${platformScoped ? "" : "not "}tenant-scoped; leave tenantScoped out` });
  }
  const fields: Record<string, RawField> = { ...platform.fields };
  for (const [field, spec] of Object.entries(app.fields ?? {})) {
    const base = platform.fields[field];
    if (base && spec && typeof spec === "object" && !compatible(base, spec)) {
      issues.push({ model: name, key: `fields.${field}`, message: `${name}.${field} is a platform field of type ${base.type}; it cannot become ${spec.type}` });
      continue;
    }
    fields[field] = spec;
  }
  const appRelationships = app.relationships ?? {};
  const given = Object.fromEntries(Object.entries(app).filter(([, value]) => value !== undefined)) as RawModel;
  return {
    ...platform,
    ...given,
    tenantScoped: platformScoped,
    fields,
    relationships: { ...platform.relationships, ...appRelationships },
    ui: { ...platform.ui, ...app.ui },
    ...(app.indexes === undefined ? {} : { indexes: app.indexes }),
  };
}
