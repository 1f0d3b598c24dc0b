-- Tessera migration 0002_auto
-- Generated from the schema by the migration planner. Applied in one transaction.

CREATE TABLE "tessera_api_keys" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "tenant_id" uuid NOT NULL,
  "name" text NOT NULL,
  "prefix" text NOT NULL UNIQUE,
  "secret_hash" text NOT NULL,
  "roles" text[] NOT NULL DEFAULT '{}',
  "permissions" text[] NOT NULL DEFAULT '{}',
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "last_used_at" timestamptz,
  "revoked_at" timestamptz
);
ALTER TABLE "tessera_api_keys" ADD CONSTRAINT "tessera_api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tessera_tenants" ("id") ON DELETE CASCADE;
CREATE INDEX "tessera_api_keys_tenant_id_idx" ON "tessera_api_keys" USING btree ("tenant_id");
