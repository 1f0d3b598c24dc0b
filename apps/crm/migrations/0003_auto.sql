-- Tessera migration 0003_auto
-- Generated from the schema by the migration planner. Applied in one transaction.

CREATE TABLE "tessera_identities" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "issuer" text NOT NULL,
  "subject" text NOT NULL,
  "user_id" uuid NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE "tessera_tenant_links" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "issuer" text NOT NULL,
  "external_id" text NOT NULL,
  "tenant_id" uuid NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE "tessera_tenant_links" ADD CONSTRAINT "tessera_tenant_links_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tessera_tenants" ("id") ON DELETE CASCADE;
CREATE UNIQUE INDEX "tessera_identities_issuer_subject_key" ON "tessera_identities" USING btree ("issuer", "subject");
CREATE INDEX "tessera_identities_user_id_idx" ON "tessera_identities" USING btree ("user_id");
CREATE UNIQUE INDEX "tessera_tenant_links_issuer_external_id_key" ON "tessera_tenant_links" USING btree ("issuer", "external_id");
CREATE INDEX "tessera_tenant_links_tenant_id_idx" ON "tessera_tenant_links" USING btree ("tenant_id");
