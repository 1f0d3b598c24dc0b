-- Tessera migration 0001_init
-- Generated from the schema by the migration planner. Applied in one transaction.

CREATE EXTENSION IF NOT EXISTS "pg_trgm";
CREATE EXTENSION IF NOT EXISTS "unaccent";
CREATE OR REPLACE FUNCTION public."tessera_unaccent"(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
CREATE OR REPLACE FUNCTION public."tessera_notify_events"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('tessera_events', ''); RETURN NULL; END $$;
DO $$ BEGIN CREATE ROLE "tessera_app" NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
GRANT USAGE ON SCHEMA public TO "tessera_app";
CREATE TYPE "ActivityStatus" AS ENUM ('planned', 'done', 'cancelled');
CREATE TYPE "ActivityType" AS ENUM ('note', 'call', 'meeting', 'email', 'task');
CREATE TYPE "CompanySize" AS ENUM ('startup', 'small', 'medium', 'large', 'enterprise');
CREATE TYPE "DealStage" AS ENUM ('lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost');
CREATE TYPE "LeadStatus" AS ENUM ('new', 'contacted', 'qualified', 'converted', 'disqualified');
CREATE TYPE "LifecycleStage" AS ENUM ('subscriber', 'lead', 'opportunity', 'customer', 'evangelist', 'other');
CREATE TYPE "MembershipRole" AS ENUM ('viewer', 'sales', 'manager', 'admin');
CREATE TYPE "QuoteStatus" AS ENUM ('draft', 'sent', 'accepted', 'rejected');
CREATE TYPE "SocialKind" AS ENUM ('post', 'reply', 'dm', 'mention');
CREATE TYPE "StageKind" AS ENUM ('open', 'won', 'lost');
CREATE TYPE "TicketPriority" AS ENUM ('low', 'normal', 'high', 'urgent');
CREATE TYPE "TicketStatus" AS ENUM ('open', 'pending', 'resolved', 'closed');
CREATE TYPE "Visibility" AS ENUM ('internal', 'client_visible');
CREATE TABLE "tessera_tenants" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "name" text NOT NULL,
  "slug" text UNIQUE,
  "created_at" timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE "tessera_events" (
  "seq" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "txid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
  "tenant_id" uuid,
  "model" text NOT NULL,
  "record_id" text NOT NULL,
  "type" text NOT NULL,
  "version" integer,
  "data" jsonb,
  "changes" jsonb,
  "actor" text,
  "impersonator" text,
  "correlation_id" text,
  "at" timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE "tessera_consumers" (
  "name" text PRIMARY KEY,
  "position" bigint NOT NULL DEFAULT 0,
  "updated_at" timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE "users" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "email" text NOT NULL,
  "name" text NOT NULL,
  "avatar_url" text,
  "active" boolean NOT NULL DEFAULT true,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "teams" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "name" text NOT NULL,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "memberships" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "user_id" uuid NOT NULL,
  "team_id" uuid,
  "role" "MembershipRole" NOT NULL DEFAULT 'viewer'::"MembershipRole",
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "tags" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "name" text NOT NULL,
  "color" text,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "companies" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "name" text NOT NULL,
  "website" text,
  "industry" text,
  "size" "CompanySize",
  "address" text,
  "phone" text,
  "annual_revenue" numeric(19,4),
  "owner_id" uuid,
  "tags" text[] NOT NULL DEFAULT '{}',
  "notes" text,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "contacts" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "first_name" text NOT NULL,
  "last_name" text,
  "email" text,
  "phone" text,
  "job_title" text,
  "company_id" uuid,
  "owner_id" uuid,
  "tags" text[] NOT NULL DEFAULT '{}',
  "lifecycle_stage" "LifecycleStage" DEFAULT 'lead'::"LifecycleStage",
  "source" text,
  "social_handles" jsonb,
  "notes" text,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "pipelines" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "name" text NOT NULL,
  "is_default" boolean NOT NULL DEFAULT false,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "stages" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "pipeline_id" uuid NOT NULL,
  "key" "DealStage" NOT NULL,
  "name" text NOT NULL,
  "position" integer NOT NULL,
  "probability" integer NOT NULL,
  "kind" "StageKind" NOT NULL DEFAULT 'open'::"StageKind",
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "deals" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "title" text NOT NULL,
  "value" numeric(19,4),
  "currency" text NOT NULL DEFAULT 'EUR',
  "stage" "DealStage" NOT NULL DEFAULT 'lead'::"DealStage",
  "position" double precision NOT NULL DEFAULT 0,
  "pipeline_id" uuid,
  "contact_id" uuid NOT NULL,
  "company_id" uuid,
  "owner_id" uuid,
  "expected_close_date" date,
  "actual_close_date" date,
  "lost_reason" text,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "activities" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "type" "ActivityType" NOT NULL,
  "title" text NOT NULL,
  "content" text,
  "contact_id" uuid,
  "company_id" uuid,
  "deal_id" uuid,
  "ticket_id" uuid,
  "occurred_at" timestamptz,
  "due_at" timestamptz,
  "duration_minutes" integer,
  "status" "ActivityStatus" NOT NULL DEFAULT 'planned'::"ActivityStatus",
  "visibility" "Visibility" NOT NULL DEFAULT 'internal'::"Visibility",
  "category" text,
  "tags" text[] NOT NULL DEFAULT '{}',
  "assigned_to_id" uuid,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "leads" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "name" text NOT NULL,
  "email" text,
  "source" text,
  "status" "LeadStatus" NOT NULL DEFAULT 'new'::"LeadStatus",
  "score" integer,
  "contact_id" uuid,
  "owner_id" uuid,
  "notes" text,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "tickets" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "subject" text NOT NULL,
  "description" text,
  "status" "TicketStatus" NOT NULL DEFAULT 'open'::"TicketStatus",
  "priority" "TicketPriority" NOT NULL DEFAULT 'normal'::"TicketPriority",
  "contact_id" uuid,
  "company_id" uuid,
  "assignee_id" uuid,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "social_events" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "kind" "SocialKind" NOT NULL,
  "network" text NOT NULL,
  "external_id" text NOT NULL,
  "author" text,
  "content" text,
  "occurred_at" timestamptz NOT NULL,
  "contact_id" uuid,
  "lead_id" uuid,
  "ticket_id" uuid,
  "payload" jsonb,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "quotes" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "number" text NOT NULL,
  "deal_id" uuid NOT NULL,
  "status" "QuoteStatus" NOT NULL DEFAULT 'draft'::"QuoteStatus",
  "currency" text NOT NULL DEFAULT 'EUR',
  "total" numeric(19,4),
  "valid_until" date,
  "sent_at" timestamptz,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "quote_items" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "quote_id" uuid NOT NULL,
  "description" text NOT NULL,
  "quantity" numeric NOT NULL,
  "unit_price" numeric(19,4) NOT NULL,
  "position" integer NOT NULL DEFAULT 0,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "version" integer NOT NULL DEFAULT 1,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  "deleted_at" timestamptz
);
CREATE TABLE "contact_tags" (
  "contact_id" uuid NOT NULL,
  "tag_id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("contact_id", "tag_id")
);
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE;
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON DELETE SET NULL;
ALTER TABLE "companies" ADD CONSTRAINT "companies_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE SET NULL;
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON DELETE SET NULL;
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE SET NULL;
ALTER TABLE "stages" ADD CONSTRAINT "stages_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines" ("id") ON DELETE CASCADE;
ALTER TABLE "deals" ADD CONSTRAINT "deals_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines" ("id") ON DELETE SET NULL;
ALTER TABLE "deals" ADD CONSTRAINT "deals_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE RESTRICT;
ALTER TABLE "deals" ADD CONSTRAINT "deals_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON DELETE SET NULL;
ALTER TABLE "deals" ADD CONSTRAINT "deals_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE SET NULL;
ALTER TABLE "activities" ADD CONSTRAINT "activities_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE;
ALTER TABLE "activities" ADD CONSTRAINT "activities_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON DELETE CASCADE;
ALTER TABLE "activities" ADD CONSTRAINT "activities_deal_id_fkey" FOREIGN KEY ("deal_id") REFERENCES "deals" ("id") ON DELETE CASCADE;
ALTER TABLE "activities" ADD CONSTRAINT "activities_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets" ("id") ON DELETE CASCADE;
ALTER TABLE "activities" ADD CONSTRAINT "activities_assigned_to_id_fkey" FOREIGN KEY ("assigned_to_id") REFERENCES "users" ("id") ON DELETE SET NULL;
ALTER TABLE "leads" ADD CONSTRAINT "leads_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE SET NULL;
ALTER TABLE "leads" ADD CONSTRAINT "leads_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE SET NULL;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE SET NULL;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON DELETE SET NULL;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users" ("id") ON DELETE SET NULL;
ALTER TABLE "social_events" ADD CONSTRAINT "social_events_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE SET NULL;
ALTER TABLE "social_events" ADD CONSTRAINT "social_events_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "leads" ("id") ON DELETE SET NULL;
ALTER TABLE "social_events" ADD CONSTRAINT "social_events_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets" ("id") ON DELETE SET NULL;
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_deal_id_fkey" FOREIGN KEY ("deal_id") REFERENCES "deals" ("id") ON DELETE CASCADE;
ALTER TABLE "quote_items" ADD CONSTRAINT "quote_items_quote_id_fkey" FOREIGN KEY ("quote_id") REFERENCES "quotes" ("id") ON DELETE CASCADE;
ALTER TABLE "contact_tags" ADD CONSTRAINT "contact_tags_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE;
ALTER TABLE "contact_tags" ADD CONSTRAINT "contact_tags_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags" ("id") ON DELETE CASCADE;
CREATE INDEX "tessera_events_model_record_id_seq_idx" ON "tessera_events" USING btree ("model", "record_id", "seq");
CREATE INDEX "tessera_events_tenant_id_seq_idx" ON "tessera_events" USING btree ("tenant_id", "seq");
CREATE INDEX "memberships_user_id_idx" ON "memberships" USING btree ("user_id");
CREATE INDEX "memberships_team_id_idx" ON "memberships" USING btree ("team_id");
CREATE INDEX "companies_owner_id_idx" ON "companies" USING btree ("owner_id");
CREATE INDEX "contacts_company_id_idx" ON "contacts" USING btree ("company_id");
CREATE INDEX "contacts_owner_id_idx" ON "contacts" USING btree ("owner_id");
CREATE INDEX "stages_pipeline_id_idx" ON "stages" USING btree ("pipeline_id");
CREATE INDEX "deals_pipeline_id_idx" ON "deals" USING btree ("pipeline_id");
CREATE INDEX "deals_contact_id_idx" ON "deals" USING btree ("contact_id");
CREATE INDEX "deals_company_id_idx" ON "deals" USING btree ("company_id");
CREATE INDEX "deals_owner_id_idx" ON "deals" USING btree ("owner_id");
CREATE INDEX "activities_contact_id_idx" ON "activities" USING btree ("contact_id");
CREATE INDEX "activities_company_id_idx" ON "activities" USING btree ("company_id");
CREATE INDEX "activities_deal_id_idx" ON "activities" USING btree ("deal_id");
CREATE INDEX "activities_ticket_id_idx" ON "activities" USING btree ("ticket_id");
CREATE INDEX "activities_assigned_to_id_idx" ON "activities" USING btree ("assigned_to_id");
CREATE INDEX "leads_contact_id_idx" ON "leads" USING btree ("contact_id");
CREATE INDEX "leads_owner_id_idx" ON "leads" USING btree ("owner_id");
CREATE INDEX "tickets_contact_id_idx" ON "tickets" USING btree ("contact_id");
CREATE INDEX "tickets_company_id_idx" ON "tickets" USING btree ("company_id");
CREATE INDEX "tickets_assignee_id_idx" ON "tickets" USING btree ("assignee_id");
CREATE INDEX "social_events_contact_id_idx" ON "social_events" USING btree ("contact_id");
CREATE INDEX "social_events_lead_id_idx" ON "social_events" USING btree ("lead_id");
CREATE INDEX "social_events_ticket_id_idx" ON "social_events" USING btree ("ticket_id");
CREATE INDEX "quotes_deal_id_idx" ON "quotes" USING btree ("deal_id");
CREATE INDEX "quote_items_quote_id_idx" ON "quote_items" USING btree ("quote_id");
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email") WHERE "deleted_at" IS NULL;
CREATE INDEX "users_name_search_idx" ON "users" USING gin ("tessera_unaccent"(lower("name")) gin_trgm_ops);
CREATE INDEX "users_email_search_idx" ON "users" USING gin ("tessera_unaccent"(lower("email")) gin_trgm_ops);
CREATE INDEX "memberships_user_id_team_id_idx" ON "memberships" USING btree ("user_id", "team_id");
CREATE INDEX "tags_name_search_idx" ON "tags" USING gin ("tessera_unaccent"(lower("name")) gin_trgm_ops);
CREATE INDEX "companies_name_search_idx" ON "companies" USING gin ("tessera_unaccent"(lower("name")) gin_trgm_ops);
CREATE INDEX "companies_website_search_idx" ON "companies" USING gin ("tessera_unaccent"(lower("website")) gin_trgm_ops);
CREATE INDEX "companies_industry_idx" ON "companies" USING btree ("industry");
CREATE UNIQUE INDEX "contacts_email_key" ON "contacts" USING btree ("tenant_id", "email") WHERE "deleted_at" IS NULL;
CREATE INDEX "contacts_first_name_search_idx" ON "contacts" USING gin ("tessera_unaccent"(lower("first_name")) gin_trgm_ops);
CREATE INDEX "contacts_last_name_search_idx" ON "contacts" USING gin ("tessera_unaccent"(lower("last_name")) gin_trgm_ops);
CREATE INDEX "contacts_email_search_idx" ON "contacts" USING gin ("tessera_unaccent"(lower("email")) gin_trgm_ops);
CREATE INDEX "stages_pipeline_id_position_idx" ON "stages" USING btree ("pipeline_id", "position");
CREATE INDEX "deals_title_search_idx" ON "deals" USING gin ("tessera_unaccent"(lower("title")) gin_trgm_ops);
CREATE INDEX "deals_stage_position_idx" ON "deals" USING btree ("stage", "position");
CREATE INDEX "activities_title_search_idx" ON "activities" USING gin ("tessera_unaccent"(lower("title")) gin_trgm_ops);
CREATE INDEX "activities_content_search_idx" ON "activities" USING gin ("tessera_unaccent"(lower("content")) gin_trgm_ops);
CREATE INDEX "leads_name_search_idx" ON "leads" USING gin ("tessera_unaccent"(lower("name")) gin_trgm_ops);
CREATE INDEX "leads_email_search_idx" ON "leads" USING gin ("tessera_unaccent"(lower("email")) gin_trgm_ops);
CREATE INDEX "tickets_subject_search_idx" ON "tickets" USING gin ("tessera_unaccent"(lower("subject")) gin_trgm_ops);
CREATE INDEX "tickets_description_search_idx" ON "tickets" USING gin ("tessera_unaccent"(lower("description")) gin_trgm_ops);
CREATE UNIQUE INDEX "social_events_external_id_key" ON "social_events" USING btree ("tenant_id", "external_id") WHERE "deleted_at" IS NULL;
CREATE INDEX "social_events_content_search_idx" ON "social_events" USING gin ("tessera_unaccent"(lower("content")) gin_trgm_ops);
CREATE INDEX "social_events_author_search_idx" ON "social_events" USING gin ("tessera_unaccent"(lower("author")) gin_trgm_ops);
CREATE UNIQUE INDEX "quotes_number_key" ON "quotes" USING btree ("tenant_id", "number") WHERE "deleted_at" IS NULL;
CREATE INDEX "contact_tags_tag_id_idx" ON "contact_tags" USING btree ("tag_id");
ALTER TABLE "tessera_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "teams" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tags" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "companies" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "contacts" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "pipelines" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "stages" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "deals" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "activities" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "leads" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tickets" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "social_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "quotes" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "quote_items" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "contact_tags" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tessera_tenant_isolation" ON "tessera_events" FOR ALL TO "tessera_app" USING ("tenant_id" IS NULL OR "tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" IS NULL OR "tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "teams" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "memberships" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "tags" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "companies" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "contacts" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "pipelines" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "stages" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "deals" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "activities" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "leads" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "tickets" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "social_events" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "quotes" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "quote_items" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY "tessera_tenant_isolation" ON "contact_tags" FOR ALL TO "tessera_app" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE TRIGGER "tessera_events_notify" AFTER INSERT ON "tessera_events" FOR EACH STATEMENT EXECUTE FUNCTION public."tessera_notify_events"();
GRANT SELECT ON "tessera_tenants" TO "tessera_app";
GRANT SELECT, INSERT ON "tessera_events" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "users" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "teams" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "memberships" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "tags" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "companies" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "contacts" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "pipelines" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "stages" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "deals" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "activities" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "leads" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "tickets" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "social_events" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "quotes" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "quote_items" TO "tessera_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "contact_tags" TO "tessera_app";
