// Tenants are platform records (tessera_tenants), managed through the system path only.
import { quoteIdent, SYSTEM_TABLES, type Database } from "@tessera/db";

export interface Tenant {
  id: string;
  name: string;
  slug: string | null;
}

export class TenantRegistry {
  constructor(private readonly db: Database) {}

  /** Creates the tenant if missing; returns true when it was created. Idempotent. */
  async ensure(tenant: { id: string; name: string; slug?: string }): Promise<boolean> {
    const { rows } = await this.db.transaction(
      (tx) =>
        tx.query(`INSERT INTO ${quoteIdent(SYSTEM_TABLES.tenants)} (id, name, slug) VALUES ($1::uuid, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id`, [
          tenant.id,
          tenant.name,
          tenant.slug ?? null,
        ]),
      { role: false },
    );
    return rows.length > 0;
  }

  async get(id: string): Promise<Tenant | null> {
    const { rows } = await this.db.transaction(
      (tx) => tx.query<Tenant>(`SELECT id, name, slug FROM ${quoteIdent(SYSTEM_TABLES.tenants)} WHERE id = $1::uuid`, [id]),
      { role: false },
    );
    return rows[0] ?? null;
  }

  /** Every tenant, by name (the CLI's `tenant list`). */
  async list(): Promise<Tenant[]> {
    const { rows } = await this.db.transaction(
      (tx) => tx.query<Tenant>(`SELECT id, name, slug FROM ${quoteIdent(SYSTEM_TABLES.tenants)} ORDER BY name, id`),
      { role: false },
    );
    return rows;
  }
}
