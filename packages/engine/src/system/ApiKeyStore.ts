// API keys of machine clients (table tessera_api_keys), managed and checked on the system path.
// A key reads `tsk_<prefix>_<secret>`: the prefix (12 hex characters) finds the row and is what
// people see in lists; the secret (32 random bytes, hex) is stored only as its SHA-256. The secret
// has full entropy, so a fast hash is right (nothing to brute-force), compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { quoteIdent, type Database } from "@tessera/db";
import { UUID_PATTERN } from "@tessera/schema";

/** Declared in packages/db/src/migrations/systemTables.ts (API_KEYS_TABLE). */
const TABLE = quoteIdent("tessera_api_keys");
const KEY_PATTERN = /^tsk_([0-9a-f]{12})_([0-9a-f]{64})$/;

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  /** `tsk_<prefix>`: enough for a person to recognise the key, useless to an attacker. */
  prefix: string;
  roles: string[];
  permissions: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreateApiKeyInput {
  tenantId: string;
  name: string;
  roles?: readonly string[];
  permissions?: readonly string[];
}

export interface CreatedApiKey {
  /** The plaintext key. Returned only here; it cannot be recovered later. */
  key: string;
  record: ApiKeyRecord;
}

export type ApiKeyCheck =
  | { valid: true; record: ApiKeyRecord }
  | { valid: false; reason: "malformed" | "unknown" | "revoked" };

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  secret_hash?: string;
  roles: string[];
  permissions: string[];
  created_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const PUBLIC_COLUMNS = "id, tenant_id, name, prefix, roles, permissions, created_at, last_used_at, revoked_at";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");
const toDate = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(value));

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: `tsk_${row.prefix}`,
    roles: [...row.roles],
    permissions: [...row.permissions],
    createdAt: toDate(row.created_at) as Date,
    lastUsedAt: toDate(row.last_used_at),
    revokedAt: toDate(row.revoked_at),
  };
}

/** Whether a credential has the shape of a Tessera API key (cheap; says nothing about validity). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith("tsk_");
}

export class ApiKeyStore {
  /** `last_used_at` is written at most this often per key, so verification is not a write per request. */
  static readonly LAST_USED_RESOLUTION_SECONDS = 60;

  constructor(private readonly db: Database) {}

  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const name = input.name.trim();
    if (name === "") throw new Error("an API key needs a non-empty name");
    const prefix = randomBytes(6).toString("hex");
    const secret = randomBytes(32).toString("hex");
    const { rows } = await this.db.transaction(
      (tx) =>
        tx.query<ApiKeyRow>(
          `INSERT INTO ${TABLE} (tenant_id, name, prefix, secret_hash, roles, permissions) ` +
            `VALUES ($1::uuid, $2, $3, $4, $5::text[], $6::text[]) RETURNING ${PUBLIC_COLUMNS}`,
          [input.tenantId, name, prefix, sha256(secret), [...(input.roles ?? [])], [...(input.permissions ?? [])]],
        ),
      { role: false },
    );
    return { key: `tsk_${prefix}_${secret}`, record: toRecord(rows[0]) };
  }

  /** Checks a plaintext key. Never throws for a bad key; says why it is not valid instead. */
  async verify(key: string): Promise<ApiKeyCheck> {
    const match = KEY_PATTERN.exec(key);
    if (!match) return { valid: false, reason: "malformed" };
    const [, prefix, secret] = match;
    const { rows } = await this.db.transaction(
      (tx) => tx.query<ApiKeyRow>(`SELECT ${PUBLIC_COLUMNS}, secret_hash FROM ${TABLE} WHERE prefix = $1`, [prefix]),
      { role: false },
    );
    const row = rows[0];
    const expected = Buffer.from(row?.secret_hash ?? sha256(""), "hex");
    const actual = Buffer.from(sha256(secret), "hex");
    const same = expected.length === actual.length && timingSafeEqual(expected, actual);
    if (!row || !same) return { valid: false, reason: "unknown" };
    if (row.revoked_at !== null) return { valid: false, reason: "revoked" };
    await this.db.transaction(
      (tx) =>
        tx.query(
          `UPDATE ${TABLE} SET last_used_at = now() WHERE id = $1::uuid ` +
            `AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
          [row.id, ApiKeyStore.LAST_USED_RESOLUTION_SECONDS],
        ),
      { role: false },
    );
    return { valid: true, record: toRecord(row) };
  }

  /** Revokes a key of the tenant; returns false when there is no such live key. Idempotent. */
  async revoke(tenantId: string, id: string): Promise<boolean> {
    if (!UUID_PATTERN.test(id) || !UUID_PATTERN.test(tenantId)) return false;
    const { rows } = await this.db.transaction(
      (tx) =>
        tx.query(`UPDATE ${TABLE} SET revoked_at = now() WHERE id = $1::uuid AND tenant_id = $2::uuid AND revoked_at IS NULL RETURNING id`, [
          id,
          tenantId,
        ]),
      { role: false },
    );
    return rows.length > 0;
  }

  /** The tenant's keys, newest first, revoked ones included; never the hash. */
  async list(tenantId: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.db.transaction(
      (tx) => tx.query<ApiKeyRow>(`SELECT ${PUBLIC_COLUMNS} FROM ${TABLE} WHERE tenant_id = $1::uuid ORDER BY created_at DESC, id`, [tenantId]),
      { role: false },
    );
    return rows.map(toRecord);
  }
}
