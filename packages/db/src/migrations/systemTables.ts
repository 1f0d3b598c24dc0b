// Objects every Tessera database has besides the model tables: the search extensions and the
// IMMUTABLE unaccent wrapper, the tenant registry, the event log (with its NOTIFY trigger) and
// the consumers' positions. tessera_migrations belongs to the runner, which creates it itself.
import { EVENTS_CHANNEL, SYSTEM_TABLES, tenantPolicyName, UNACCENT_FUNCTION } from "../constraintNames.ts";
import { quoteIdent, quoteLiteral } from "../quoteIdent.ts";
import type { DesiredFunction, DesiredPart, DesiredSchema } from "./desiredSchema.ts";
import { TENANT_SETTING_SQL } from "./sqlTypes.ts";

export const NOTIFY_FUNCTION = "tessera_notify_events";
export const NOTIFY_TRIGGER = "tessera_events_notify";
export const EXTENSIONS = ["pg_trgm", "unaccent"] as const;
/** API keys of machine clients (engine/src/system/ApiKeyStore.ts); system path only. */
export const API_KEYS_TABLE = "tessera_api_keys";
/** Who a user is at each identity provider: (issuer, subject) → user (engine/src/system/IdentityStore.ts). */
export const IDENTITIES_TABLE = "tessera_identities";
/** Tenants as identity providers name them (a ZITADEL organisation id) → Tessera tenant. */
export const TENANT_LINKS_TABLE = "tessera_tenant_links";

const q = quoteIdent;

function functions(): DesiredFunction[] {
  return [
    {
      name: UNACCENT_FUNCTION,
      // unaccent() is only STABLE (its dictionary could change), which forbids it in index
      // expressions; pinning the dictionary makes the wrapper safe to declare IMMUTABLE.
      sql:
        `CREATE OR REPLACE FUNCTION public.${q(UNACCENT_FUNCTION)}(text) RETURNS text ` +
        `LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT ` +
        `AS $$ SELECT public.unaccent(${quoteLiteral("public.unaccent")}::regdictionary, $1) $$`,
    },
    {
      name: NOTIFY_FUNCTION,
      // Statement level with an empty payload: listeners re-read the log from their position, so
      // one wake-up per committed batch is enough and the payload limit never matters.
      sql:
        `CREATE OR REPLACE FUNCTION public.${q(NOTIFY_FUNCTION)}() RETURNS trigger LANGUAGE plpgsql ` +
        `AS $$ BEGIN PERFORM pg_notify(${quoteLiteral(EVENTS_CHANNEL)}, ${quoteLiteral("")}); RETURN NULL; END $$`,
    },
  ];
}

type SystemObjects = DesiredPart & Pick<DesiredSchema, "extensions" | "functions" | "ignoredTables">;

export function systemObjects(appRole: string): SystemObjects {
  const { tenants, events, consumers, migrations } = SYSTEM_TABLES;
  const apiKeys = API_KEYS_TABLE;
  const eventsMatch = `${q("tenant_id")} IS NULL OR ${q("tenant_id")} = ${TENANT_SETTING_SQL}`;
  return {
    extensions: [...EXTENSIONS],
    functions: functions(),
    ignoredTables: [migrations],
    tables: [
      {
        name: tenants,
        kind: "system",
        owner: "system",
        columns: [
          { name: "id", type: "uuid", notNull: true, primaryKey: true, default: "gen_random_uuid()" },
          { name: "name", type: "text", notNull: true },
          { name: "slug", type: "text", notNull: false, unique: true },
          { name: "created_at", type: "timestamptz", notNull: true, default: "now()" },
        ],
        rls: false,
        // The app reads tenants to check memberships; creating and cloning tenants is the system API's job.
        grants: ["SELECT"],
      },
      {
        name: events,
        kind: "system",
        owner: "system",
        columns: [
          { name: "seq", type: "bigint", notNull: true, primaryKey: true, identity: true },
          { name: "txid", type: "xid8", notNull: true, default: "pg_current_xact_id()" },
          { name: "tenant_id", type: "uuid", notNull: false },
          { name: "model", type: "text", notNull: true },
          { name: "record_id", type: "text", notNull: true },
          { name: "type", type: "text", notNull: true },
          { name: "version", type: "integer", notNull: false },
          { name: "data", type: "jsonb", notNull: false },
          { name: "changes", type: "jsonb", notNull: false },
          { name: "actor", type: "text", notNull: false },
          { name: "impersonator", type: "text", notNull: false },
          { name: "correlation_id", type: "text", notNull: false },
          // clock_timestamp(): events of one transaction keep their real order in time.
          { name: "at", type: "timestamptz", notNull: true, default: "clock_timestamp()" },
        ],
        rls: true,
        // Append-only for the app: no UPDATE or DELETE on the log.
        grants: ["SELECT", "INSERT"],
      },
      {
        name: consumers,
        kind: "system",
        owner: "system",
        columns: [
          { name: "name", type: "text", notNull: true, primaryKey: true },
          { name: "position", type: "bigint", notNull: true, default: "0" },
          // When the cursor last moved or, for a per-node consumer, when its node last said it is
          // alive (EventDispatcher heartbeat): per-node rows not seen for a while are a dead node's.
          { name: "updated_at", type: "timestamptz", notNull: true, default: "now()" },
          // Its state lives in one node's process (`cache:<node>`, `graphql-ws:<node>`, `realtime:<node>`):
          // the row may be reaped once the node is gone. Durable consumers (projections) are never reaped.
          { name: "per_node", type: "boolean", notNull: true, default: "false" },
        ],
        rls: false,
        // Consumer positions are advanced by the dispatcher on the system path only.
        grants: [],
      },
      {
        name: apiKeys,
        kind: "system",
        owner: "system",
        columns: [
          { name: "id", type: "uuid", notNull: true, primaryKey: true, default: "gen_random_uuid()" },
          { name: "tenant_id", type: "uuid", notNull: true },
          { name: "name", type: "text", notNull: true },
          // The first characters of the key, shown to people and used to find the row.
          { name: "prefix", type: "text", notNull: true, unique: true },
          // SHA-256 (hex) of a 32-byte random secret; the plaintext is never stored.
          { name: "secret_hash", type: "text", notNull: true },
          { name: "roles", type: "text[]", notNull: true, default: "'{}'" },
          { name: "permissions", type: "text[]", notNull: true, default: "'{}'" },
          { name: "created_at", type: "timestamptz", notNull: true, default: "now()" },
          { name: "last_used_at", type: "timestamptz", notNull: false },
          { name: "revoked_at", type: "timestamptz", notNull: false },
        ],
        rls: false,
        // Keys are created, verified and revoked through the system API only; the app role never reads hashes.
        grants: [],
      },
      {
        name: IDENTITIES_TABLE,
        kind: "system",
        owner: "system",
        columns: [
          { name: "id", type: "uuid", notNull: true, primaryKey: true, default: "gen_random_uuid()" },
          // The token's `iss` and `sub`: any strings (ZITADEL's numeric ids, `auth0|…`), never parsed.
          { name: "issuer", type: "text", notNull: true },
          { name: "subject", type: "text", notNull: true },
          { name: "user_id", type: "uuid", notNull: true },
          { name: "created_at", type: "timestamptz", notNull: true, default: "now()" },
        ],
        rls: false,
        // Resolved and provisioned at sign-in on the system path; the app role never reads it.
        grants: [],
      },
      {
        name: TENANT_LINKS_TABLE,
        kind: "system",
        owner: "system",
        columns: [
          { name: "id", type: "uuid", notNull: true, primaryKey: true, default: "gen_random_uuid()" },
          { name: "issuer", type: "text", notNull: true },
          { name: "external_id", type: "text", notNull: true },
          { name: "tenant_id", type: "uuid", notNull: true },
          { name: "created_at", type: "timestamptz", notNull: true, default: "now()" },
        ],
        rls: false,
        grants: [],
      },
    ],
    indexes: [
      { name: `${events}_model_record_id_seq_idx`, table: events, unique: false, method: "btree", keys: [q("model"), q("record_id"), q("seq")] },
      { name: `${events}_tenant_id_seq_idx`, table: events, unique: false, method: "btree", keys: [q("tenant_id"), q("seq")] },
      { name: `${apiKeys}_tenant_id_idx`, table: apiKeys, unique: false, method: "btree", keys: [q("tenant_id")] },
      // One user per identity: concurrent first sign-ins of one subject race on this index, one wins.
      { name: `${IDENTITIES_TABLE}_issuer_subject_key`, table: IDENTITIES_TABLE, unique: true, method: "btree", keys: [q("issuer"), q("subject")] },
      { name: `${IDENTITIES_TABLE}_user_id_idx`, table: IDENTITIES_TABLE, unique: false, method: "btree", keys: [q("user_id")] },
      { name: `${TENANT_LINKS_TABLE}_issuer_external_id_key`, table: TENANT_LINKS_TABLE, unique: true, method: "btree", keys: [q("issuer"), q("external_id")] },
      { name: `${TENANT_LINKS_TABLE}_tenant_id_idx`, table: TENANT_LINKS_TABLE, unique: false, method: "btree", keys: [q("tenant_id")] },
    ],
    // A tenant's keys go with the tenant.
    foreignKeys: [
      { name: `${apiKeys}_tenant_id_fkey`, table: apiKeys, column: "tenant_id", refTable: tenants, refColumn: "id", onDelete: "cascade" },
      { name: `${TENANT_LINKS_TABLE}_tenant_id_fkey`, table: TENANT_LINKS_TABLE, column: "tenant_id", refTable: tenants, refColumn: "id", onDelete: "cascade" },
    ],
    // System events (tenant_id NULL) are visible to every tenant; tenant events only to their own.
    policies: [{ name: tenantPolicyName, table: events, role: appRole, using: eventsMatch, check: eventsMatch }],
    triggers: [
      {
        name: NOTIFY_TRIGGER,
        table: events,
        sql: `CREATE TRIGGER ${q(NOTIFY_TRIGGER)} AFTER INSERT ON ${q(events)} FOR EACH STATEMENT EXECUTE FUNCTION public.${q(NOTIFY_FUNCTION)}()`,
      },
    ],
  };
}
