-- Tessera migration 0004_auto
-- Generated from the schema by the migration planner. Applied in one transaction.

ALTER TABLE "tessera_consumers" ADD COLUMN "per_node" boolean NOT NULL DEFAULT false;
