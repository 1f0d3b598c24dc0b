// The Tessera CRM in the interface form: the same models as `schema.ts` (the defineSchema DSL),
// read with the TypeScript compiler API by `loadInterfaceSchema`. A test asserts both give identical IR.
// Field types and optionality come from the interfaces; everything else from `schema` below,
// which must be written as literals.
import type { DateOnly, DateTime, Decimal, ID, Int, InterfaceSchema, Json, Money, Text } from "@tessera/schema";

export enum CompanySize { startup = "startup", small = "small", medium = "medium", large = "large", enterprise = "enterprise" }
export enum LifecycleStage { subscriber = "subscriber", lead = "lead", opportunity = "opportunity", customer = "customer", evangelist = "evangelist", other = "other" }
export enum DealStage { lead = "lead", qualified = "qualified", proposal = "proposal", negotiation = "negotiation", won = "won", lost = "lost" }
export enum StageKind { open = "open", won = "won", lost = "lost" }
export enum ActivityType { note = "note", call = "call", meeting = "meeting", email = "email", task = "task" }
export enum ActivityStatus { planned = "planned", done = "done", cancelled = "cancelled" }
export enum Visibility { internal = "internal", client_visible = "client_visible" }
export enum LeadStatus { new = "new", contacted = "contacted", qualified = "qualified", converted = "converted", disqualified = "disqualified" }
export enum TicketStatus { open = "open", pending = "pending", resolved = "resolved", closed = "closed" }
export enum TicketPriority { low = "low", normal = "normal", high = "high", urgent = "urgent" }
export enum SocialKind { post = "post", reply = "reply", dm = "dm", mention = "mention" }
export enum QuoteStatus { draft = "draft", sent = "sent", accepted = "accepted", rejected = "rejected" }
export enum MembershipRole { viewer = "viewer", sales = "sales", manager = "manager", admin = "admin" }

export interface User {
  email: string;
  name: string;
  avatarUrl?: string;
  active: boolean;
}

export interface Team {
  name: string;
}

export interface Membership {
  userId: ID;
  teamId?: ID;
  role: MembershipRole;
}

export interface Tag {
  name: string;
  color?: string;
}

export interface Company {
  name: string;
  website?: string;
  industry?: string;
  size?: CompanySize;
  address?: Text;
  phone?: string;
  annualRevenue?: Money;
  ownerId?: ID;
  tags: string[];
  notes?: Text;
}

export interface Contact {
  firstName: string;
  lastName?: string;
  email?: string;
  phone?: string;
  jobTitle?: string;
  companyId?: ID;
  ownerId?: ID;
  tags: string[];
  lifecycleStage?: LifecycleStage;
  source?: string;
  socialHandles?: Json;
  notes?: Text;
}

export interface Pipeline {
  name: string;
  isDefault: boolean;
}

export interface Stage {
  pipelineId: ID;
  key: DealStage;
  name: string;
  position: Int;
  probability: Int;
  kind: StageKind;
}

export interface Deal {
  title: string;
  value?: Money;
  currency: string;
  stage: DealStage;
  position: number;
  pipelineId?: ID;
  contactId: ID;
  companyId?: ID;
  ownerId?: ID;
  expectedCloseDate?: DateOnly;
  actualCloseDate?: DateOnly;
  lostReason?: Text;
}

export interface Activity {
  type: ActivityType;
  title: string;
  content?: Text;
  contactId?: ID;
  companyId?: ID;
  dealId?: ID;
  ticketId?: ID;
  occurredAt?: DateTime;
  dueAt?: DateTime;
  durationMinutes?: Int;
  status: ActivityStatus;
  visibility: Visibility;
  category?: string;
  tags: string[];
  assignedToId?: ID;
}

export interface Lead {
  name: string;
  email?: string;
  source?: string;
  status: LeadStatus;
  score?: Int;
  contactId?: ID;
  ownerId?: ID;
  notes?: Text;
}

export interface Ticket {
  subject: string;
  description?: Text;
  status: TicketStatus;
  priority: TicketPriority;
  contactId?: ID;
  companyId?: ID;
  assigneeId?: ID;
}

export interface SocialEvent {
  kind: SocialKind;
  network: string;
  externalId: string;
  author?: string;
  content?: Text;
  occurredAt: DateTime;
  contactId?: ID;
  leadId?: ID;
  ticketId?: ID;
  payload?: Json;
}

export interface Quote {
  number: string;
  dealId: ID;
  status: QuoteStatus;
  currency: string;
  total?: Money;
  validUntil?: DateOnly;
  sentAt?: DateTime;
}

export interface QuoteItem {
  quoteId: ID;
  description: string;
  quantity: Decimal;
  unitPrice: Money;
  position: Int;
}

export const schema = {
  config: {
    auditLog: true,
    softDeletes: true,
    defaultPageSize: 25,
    maxPageSize: 100,
    subscriptions: true,
    permissionPrefix: "crm",
    policies: [
      { effect: "deny", actions: ["update", "delete"], resources: ["crm.deal"], roles: "sales|manager", when: { stage: DealStage.won } },
    ],
  },
  models: {
    User: {
      tenantScoped: false,
      validation: { email: "email|unique|max:255", name: "max:200", avatarUrl: "url" },
      defaults: { active: true },
      searchable: ["name", "email"],
      // Users are platform data: a tenant sees the users who are its members, and only the platform's
      // system API (the CLI) changes them; a tenant admin manages memberships instead.
      access: { read: "authenticated" },
      rowRules: { read: [{ roles: "authenticated", where: { memberships_some: {} } }] },
      relationships: { memberships: { type: "hasMany", model: "Membership", foreignKey: "userId" } },
      ui: { displayField: "name", listView: ["name", "email", "active"], editForm: ["name", "email", "avatarUrl", "active"] },
    },
    Team: {
      validation: { name: "max:120" },
      access: { read: "authenticated", create: "admin", update: "admin", delete: "admin" },
      relationships: { memberships: { type: "hasMany", model: "Membership", foreignKey: "teamId" } },
      ui: { displayField: "name" },
    },
    Membership: {
      defaults: { role: MembershipRole.viewer },
      relationships: {
        user: { type: "belongsTo", model: "User", foreignKey: "userId", onDelete: "cascade" },
        team: { type: "belongsTo", model: "Team", foreignKey: "teamId", onDelete: "set null" },
      },
      access: { read: "authenticated", create: "admin", update: "admin", delete: "admin" },
      indexes: [{ fields: ["userId", "teamId"], unique: false }],
      ui: { displayField: "role", listView: ["userId", "teamId", "role"] },
    },
    Tag: {
      validation: { name: "max:60", color: "regex:^#[0-9a-fA-F]{6}$" },
      searchable: ["name"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      ui: { displayField: "name" },
    },
    Company: {
      defaults: { ownerId: "$principal.sub" },
      validation: { name: "max:255", website: "url", industry: "max:120", phone: "max:50", annualRevenue: "min:0" },
      searchable: ["name", "website"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      rowRules: {
        read: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
        update: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
        delete: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
      },
      fieldAccess: { annualRevenue: { read: "manager|admin" } },
      relationships: {
        owner: { type: "belongsTo", model: "User", foreignKey: "ownerId", onDelete: "set null" },
        contacts: { type: "hasMany", model: "Contact", foreignKey: "companyId" },
        deals: { type: "hasMany", model: "Deal", foreignKey: "companyId" },
        activities: { type: "hasMany", model: "Activity", foreignKey: "companyId" },
      },
      indexes: [{ fields: ["industry"] }],
      ui: {
        displayField: "name",
        listView: ["name", "industry", "size", "website", "annualRevenue"],
        editForm: ["name", "website", "industry", "size", "address", "phone", "annualRevenue", "ownerId", "tags", "notes"],
      },
    },
    Contact: {
      validation: { firstName: "max:100", lastName: "max:100", email: "email|unique|max:255", phone: "max:50", jobTitle: "max:120", source: "max:60" },
      defaults: { lifecycleStage: LifecycleStage.lead, ownerId: "$principal.sub" },
      searchable: ["firstName", "lastName", "email"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      rowRules: {
        read: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
        update: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
        delete: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
      },
      fieldAccess: { notes: { read: "sales|manager|admin" } },
      relationships: {
        company: { type: "belongsTo", model: "Company", foreignKey: "companyId", onDelete: "set null" },
        owner: { type: "belongsTo", model: "User", foreignKey: "ownerId", onDelete: "set null" },
        deals: { type: "hasMany", model: "Deal", foreignKey: "contactId" },
        activities: { type: "hasMany", model: "Activity", foreignKey: "contactId" },
        labels: { type: "manyToMany", model: "Tag", through: "contact_tags" },
      },
      ui: {
        displayField: "firstName",
        listView: ["firstName", "lastName", "email", "companyId", "lifecycleStage"],
        editForm: ["firstName", "lastName", "email", "phone", "jobTitle", "companyId", "ownerId", "lifecycleStage", "source", "tags", "notes"],
      },
    },
    Pipeline: {
      validation: { name: "max:120" },
      defaults: { isDefault: false },
      access: { read: "authenticated", create: "manager|admin", update: "manager|admin", delete: "admin" },
      relationships: {
        stages: { type: "hasMany", model: "Stage", foreignKey: "pipelineId" },
        deals: { type: "hasMany", model: "Deal", foreignKey: "pipelineId" },
      },
      ui: { displayField: "name" },
    },
    Stage: {
      validation: { name: "max:120", position: "min:0", probability: "min:0|max:100" },
      defaults: { kind: StageKind.open },
      access: { read: "authenticated", create: "manager|admin", update: "manager|admin", delete: "admin" },
      relationships: { pipeline: { type: "belongsTo", model: "Pipeline", foreignKey: "pipelineId", onDelete: "cascade" } },
      indexes: [{ fields: ["pipelineId", "position"] }],
      ui: { displayField: "name", listView: ["name", "key", "position", "probability", "kind"] },
    },
    Deal: {
      // A closed deal says when it closed, and a lost one why (sales may write lostReason).
      validation: { title: "max:255", value: "min:0", currency: "regex:^[A-Z]{3}$", actualCloseDate: "required_if:stage,won,lost", lostReason: "required_if:stage,lost" },
      defaults: { currency: "EUR", stage: DealStage.lead, position: 0, ownerId: "$principal.sub" },
      searchable: ["title"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      rowRules: {
        read: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
        update: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
        delete: [
          { roles: "sales", where: { ownerId: "$principal.sub" } },
          { roles: "sales", where: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
      },
      relationships: {
        pipeline: { type: "belongsTo", model: "Pipeline", foreignKey: "pipelineId", onDelete: "set null" },
        contact: { type: "belongsTo", model: "Contact", foreignKey: "contactId" },
        company: { type: "belongsTo", model: "Company", foreignKey: "companyId", onDelete: "set null" },
        owner: { type: "belongsTo", model: "User", foreignKey: "ownerId", onDelete: "set null" },
        activities: { type: "hasMany", model: "Activity", foreignKey: "dealId" },
        quotes: { type: "hasMany", model: "Quote", foreignKey: "dealId" },
      },
      indexes: [{ fields: ["stage", "position"] }],
      ui: {
        displayField: "title",
        listView: ["title", "value", "currency", "stage", "expectedCloseDate"],
        editForm: ["title", "value", "currency", "stage", "pipelineId", "contactId", "companyId", "ownerId", "expectedCloseDate", "actualCloseDate", "lostReason"],
      },
    },
    Activity: {
      validation: { title: "max:255", durationMinutes: "min:0", category: "max:60" },
      defaults: { status: ActivityStatus.planned, visibility: Visibility.internal, assignedToId: "$principal.sub" },
      searchable: ["title", "content"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      rowRules: {
        read: [
          { roles: "sales", where: { assignedToId: "$principal.sub" } },
          { roles: "sales", where: { assignedTo: { memberships_some: { teamId_in: "$principal.teams" } } } },
          { roles: "sales", where: { contact: { ownerId: "$principal.sub" } } },
          { roles: "sales", where: { contact: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } } },
          { roles: "sales", where: { deal: { ownerId: "$principal.sub" } } },
          { roles: "sales", where: { deal: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } } },
          { roles: "sales", where: { company: { ownerId: "$principal.sub" } } },
          { roles: "sales", where: { company: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } } },
        ],
        update: [
          { roles: "sales", where: { assignedToId: "$principal.sub" } },
          { roles: "sales", where: { assignedTo: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
        delete: [
          { roles: "sales", where: { assignedToId: "$principal.sub" } },
          { roles: "sales", where: { assignedTo: { memberships_some: { teamId_in: "$principal.teams" } } } },
        ],
      },
      relationships: {
        contact: { type: "belongsTo", model: "Contact", foreignKey: "contactId", onDelete: "cascade" },
        company: { type: "belongsTo", model: "Company", foreignKey: "companyId", onDelete: "cascade" },
        deal: { type: "belongsTo", model: "Deal", foreignKey: "dealId", onDelete: "cascade" },
        ticket: { type: "belongsTo", model: "Ticket", foreignKey: "ticketId", onDelete: "cascade" },
        assignedTo: { type: "belongsTo", model: "User", foreignKey: "assignedToId", onDelete: "set null" },
      },
      ui: {
        displayField: "title",
        listView: ["type", "title", "status", "occurredAt", "dueAt"],
        editForm: ["type", "title", "content", "contactId", "companyId", "dealId", "occurredAt", "dueAt", "durationMinutes", "status", "visibility", "category", "tags", "assignedToId"],
      },
    },
    Lead: {
      validation: { name: "max:200", email: "email|max:255", source: "max:60", score: "min:0|max:100" },
      defaults: { status: LeadStatus.new, ownerId: "$principal.sub" },
      searchable: ["name", "email"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      relationships: {
        contact: { type: "belongsTo", model: "Contact", foreignKey: "contactId", onDelete: "set null" },
        owner: { type: "belongsTo", model: "User", foreignKey: "ownerId", onDelete: "set null" },
      },
      ui: { displayField: "name", listView: ["name", "email", "source", "status", "score"] },
    },
    Ticket: {
      validation: { subject: "max:255" },
      defaults: { status: TicketStatus.open, priority: TicketPriority.normal },
      searchable: ["subject", "description"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      relationships: {
        contact: { type: "belongsTo", model: "Contact", foreignKey: "contactId", onDelete: "set null" },
        company: { type: "belongsTo", model: "Company", foreignKey: "companyId", onDelete: "set null" },
        assignee: { type: "belongsTo", model: "User", foreignKey: "assigneeId", onDelete: "set null" },
        activities: { type: "hasMany", model: "Activity", foreignKey: "ticketId" },
      },
      ui: { displayField: "subject", listView: ["subject", "status", "priority", "contactId"] },
    },
    SocialEvent: {
      validation: { network: "max:40", externalId: "unique|max:255", author: "max:255" },
      searchable: ["content", "author"],
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      relationships: {
        contact: { type: "belongsTo", model: "Contact", foreignKey: "contactId", onDelete: "set null" },
        lead: { type: "belongsTo", model: "Lead", foreignKey: "leadId", onDelete: "set null" },
        ticket: { type: "belongsTo", model: "Ticket", foreignKey: "ticketId", onDelete: "set null" },
      },
      ui: { displayField: "author", listView: ["kind", "network", "author", "occurredAt"] },
    },
    Quote: {
      validation: { number: "unique|max:40", currency: "regex:^[A-Z]{3}$", total: "min:0" },
      defaults: { status: QuoteStatus.draft, currency: "EUR" },
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      relationships: {
        deal: { type: "belongsTo", model: "Deal", foreignKey: "dealId", onDelete: "cascade" },
        items: { type: "hasMany", model: "QuoteItem", foreignKey: "quoteId" },
      },
      ui: { displayField: "number", listView: ["number", "status", "total", "currency", "validUntil"] },
    },
    QuoteItem: {
      validation: { description: "max:255", quantity: "min:0", unitPrice: "min:0" },
      defaults: { position: 0 },
      access: { read: "authenticated", create: "sales|manager|admin", update: "sales|manager|admin", delete: "manager|admin" },
      relationships: { quote: { type: "belongsTo", model: "Quote", foreignKey: "quoteId", onDelete: "cascade" } },
      ui: { displayField: "description", listView: ["description", "quantity", "unitPrice"] },
    },
  },
} satisfies InterfaceSchema;

export default schema;
