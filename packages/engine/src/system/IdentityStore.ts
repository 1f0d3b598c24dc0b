// Platform identity on the system path: which Tessera user an identity provider's subject is
// (tessera_identities), users provisioned just in time on their first sign-in, and tenants as
// identity providers name them (tessera_tenant_links: a ZITADEL organisation id → a tenant).
//
// Subjects are opaque strings (ZITADEL's `274893204823049231`, Auth0's `auth0|abc`, a UUID): they
// are never parsed, only matched together with their issuer. Provisioning needs no transaction
// spanning the identity and the user: the identity row is claimed first (a unique index on issuer
// and subject decides concurrent first sign-ins), then the user is created through the engine's
// write path with the claimed id. A crash between the two leaves an identity without its user,
// which the next sign-in completes; a second creator of the same user finds it created.
import { randomUUID } from "node:crypto";
import { IDENTITIES_TABLE, quoteIdent, SYSTEM_TABLES, TENANT_LINKS_TABLE } from "@tessera/db";
import { UUID_PATTERN } from "@tessera/schema";
import { systemContext, type Engine } from "../Engine.ts";
import { EngineError } from "../EngineError.ts";

/** The platform model every app has (schema/src/platformModels.ts). */
export const USER_MODEL = "User";

const IDENTITIES = quoteIdent(IDENTITIES_TABLE);
const LINKS = quoteIdent(TENANT_LINKS_TABLE);
const TENANTS = quoteIdent(SYSTEM_TABLES.tenants);
const SYSTEM = { role: false } as const;

/** What a verified token says about its subject. */
export interface IdentityClaims {
  issuer: string;
  subject: string;
  email?: string;
  name?: string;
}

export interface ResolvedUser {
  userId: string;
  /** True when this call created the user. */
  created: boolean;
}

export interface TenantLink {
  issuer: string;
  externalId: string;
  tenantId: string;
  createdAt: Date;
}

export interface Identity {
  issuer: string;
  subject: string;
  userId: string;
}

export class IdentityStore {
  constructor(private readonly engine: Engine) {}

  private get db() {
    return this.engine.db;
  }

  /**
   * The user the subject is: its identity row, else a user whose id *is* the subject (users created
   * with the provider's UUID, and Tessera's own dev tokens), else — with `provision` — a new user.
   * Null when unknown and not provisioned. Throws VALIDATION_FAILED when the app's User needs a
   * value the token does not carry (e.g. a required e-mail).
   */
  async resolveUser(claims: IdentityClaims, options: { provision: boolean }): Promise<ResolvedUser | null> {
    const known = await this.findUser(claims.issuer, claims.subject);
    if (known !== null) {
      if (await this.userExists(known)) return { userId: known, created: false };
      // An identity whose user was never created (a crash between the two steps): complete it.
      return { userId: known, created: await this.createUser(known, claims) };
    }
    if (UUID_PATTERN.test(claims.subject) && (await this.userExists(claims.subject.toLowerCase()))) {
      const userId = claims.subject.toLowerCase();
      await this.link(claims.issuer, claims.subject, userId);
      return { userId, created: false };
    }
    if (!options.provision) return null;
    const claimed = await this.claimIdentity(claims.issuer, claims.subject, randomUUID());
    try {
      return { userId: claimed, created: await this.createUser(claimed, claims) };
    } catch (error) {
      // The token cannot make a valid user: free the identity so a later, fuller token can.
      await this.db.transaction((tx) => tx.query(`DELETE FROM ${IDENTITIES} WHERE issuer = $1 AND subject = $2 AND user_id = $3::uuid`, [claims.issuer, claims.subject, claimed]), SYSTEM);
      throw error;
    }
  }

  async findUser(issuer: string, subject: string): Promise<string | null> {
    const { rows } = await this.db.transaction((tx) => tx.query<{ user_id: string }>(`SELECT user_id::text FROM ${IDENTITIES} WHERE issuer = $1 AND subject = $2`, [issuer, subject]), SYSTEM);
    return rows[0]?.user_id ?? null;
  }

  /** Records that `subject` at `issuer` is the user; idempotent, refuses to move an identity to another user. */
  async link(issuer: string, subject: string, userId: string): Promise<void> {
    const owner = await this.claimIdentity(issuer, subject, userId);
    if (owner !== userId) throw new EngineError("CONFLICT", `the identity ${subject} at ${issuer} already belongs to another user (${owner})`);
  }

  async identitiesOf(userId: string): Promise<Identity[]> {
    const { rows } = await this.db.transaction(
      (tx) => tx.query<{ issuer: string; subject: string }>(`SELECT issuer, subject FROM ${IDENTITIES} WHERE user_id = $1::uuid ORDER BY issuer, subject`, [userId]),
      SYSTEM,
    );
    return rows.map((r) => ({ issuer: r.issuer, subject: r.subject, userId }));
  }

  /** Links an identity provider's name for a tenant (an organisation id) to the tenant; idempotent. */
  async linkTenant(issuer: string, externalId: string, tenantId: string): Promise<TenantLink> {
    if (!UUID_PATTERN.test(tenantId)) throw new EngineError("VALIDATION_FAILED", `the tenant must be a tenant id (uuid), got '${tenantId}'`);
    return this.db.transaction(async (tx) => {
      const tenant = await tx.query(`SELECT 1 FROM ${TENANTS} WHERE id = $1::uuid`, [tenantId]);
      if (tenant.rows.length === 0) throw new EngineError("NOT_FOUND", `no tenant ${tenantId}; create it first (tessera tenant create)`);
      const { rows } = await tx.query<{ tenant_id: string; created_at: Date }>(
        `INSERT INTO ${LINKS} (issuer, external_id, tenant_id) VALUES ($1, $2, $3::uuid)
         ON CONFLICT (issuer, external_id) DO UPDATE SET external_id = EXCLUDED.external_id
         RETURNING tenant_id::text, created_at`,
        [issuer, externalId, tenantId],
      );
      const row = rows[0];
      if (row.tenant_id !== tenantId.toLowerCase()) {
        throw new EngineError("CONFLICT", `${externalId} at ${issuer} is already linked to tenant ${row.tenant_id}; unlink it first`);
      }
      return { issuer, externalId, tenantId: row.tenant_id, createdAt: row.created_at };
    }, SYSTEM);
  }

  async unlinkTenant(issuer: string, externalId: string): Promise<boolean> {
    const { rows } = await this.db.transaction((tx) => tx.query(`DELETE FROM ${LINKS} WHERE issuer = $1 AND external_id = $2 RETURNING id`, [issuer, externalId]), SYSTEM);
    return rows.length > 0;
  }

  /** The tenant an identity provider's name stands for; null when not linked. */
  async tenantFor(issuer: string, externalId: string): Promise<string | null> {
    const { rows } = await this.db.transaction(
      (tx) => tx.query<{ tenant_id: string }>(`SELECT tenant_id::text FROM ${LINKS} WHERE issuer = $1 AND external_id = $2`, [issuer, externalId]),
      SYSTEM,
    );
    return rows[0]?.tenant_id ?? null;
  }

  async tenantLinks(): Promise<TenantLink[]> {
    const { rows } = await this.db.transaction(
      (tx) => tx.query<{ issuer: string; external_id: string; tenant_id: string; created_at: Date }>(`SELECT issuer, external_id, tenant_id::text, created_at FROM ${LINKS} ORDER BY issuer, external_id`),
      SYSTEM,
    );
    return rows.map((r) => ({ issuer: r.issuer, externalId: r.external_id, tenantId: r.tenant_id, createdAt: r.created_at }));
  }

  /** The identity's user: the one already recorded, or `userId` when this call recorded it. */
  private async claimIdentity(issuer: string, subject: string, userId: string): Promise<string> {
    const inserted = await this.db.transaction(
      (tx) =>
        tx.query<{ user_id: string }>(
          `INSERT INTO ${IDENTITIES} (issuer, subject, user_id) VALUES ($1, $2, $3::uuid) ON CONFLICT (issuer, subject) DO NOTHING RETURNING user_id::text`,
          [issuer, subject, userId],
        ),
      SYSTEM,
    );
    if (inserted.rows[0]) return inserted.rows[0].user_id;
    const existing = await this.findUser(issuer, subject);
    if (existing === null) throw new EngineError("CONFLICT", `the identity ${subject} at ${issuer} changed while it was being recorded; sign in again`);
    return existing;
  }

  private async userExists(userId: string): Promise<boolean> {
    return (await this.engine.model(USER_MODEL).findUnique({ id: userId }, systemContext(null), { fields: ["id"], deleted: "include" })) !== null;
  }

  /** Creates the user through the write path (with its event); false when a concurrent sign-in did first. */
  private async createUser(userId: string, claims: IdentityClaims): Promise<boolean> {
    const model = this.engine.schema.models.find((m) => m.name === USER_MODEL);
    const data: Record<string, unknown> = { id: userId };
    const has = (field: string) => model?.fields.some((f) => f.name === field) ?? false;
    if (has("email") && claims.email) data.email = claims.email;
    if (has("name")) data.name = claims.name ?? claims.email ?? claims.subject;
    try {
      await this.engine.model(USER_MODEL).create(data, systemContext(null));
      return true;
    } catch (error) {
      if (await this.userExists(userId)) return false;
      throw error;
    }
  }
}
