// The Tessera CRM, written in the defineSchema DSL. The same models in the interface form live in
// `schema.interface.ts`; a test asserts both give identical IR.
import { belongsTo, defineEnum, defineSchema, f, hasMany, manyToMany, model } from "@tessera/schema";

export const CompanySize = defineEnum("CompanySize", ["startup", "small", "medium", "large", "enterprise"]);
export const LifecycleStage = defineEnum("LifecycleStage", ["subscriber", "lead", "opportunity", "customer", "evangelist", "other"]);
export const DealStage = defineEnum("DealStage", ["lead", "qualified", "proposal", "negotiation", "won", "lost"]);
export const StageKind = defineEnum("StageKind", ["open", "won", "lost"]);
export const ActivityType = defineEnum("ActivityType", ["note", "call", "meeting", "email", "task"]);
export const ActivityStatus = defineEnum("ActivityStatus", ["planned", "done", "cancelled"]);
export const Visibility = defineEnum("Visibility", ["internal", "client_visible"]);
export const LeadStatus = defineEnum("LeadStatus", ["new", "contacted", "qualified", "converted", "disqualified"]);
export const TicketStatus = defineEnum("TicketStatus", ["open", "pending", "resolved", "closed"]);
export const TicketPriority = defineEnum("TicketPriority", ["low", "normal", "high", "urgent"]);
export const SocialKind = defineEnum("SocialKind", ["post", "reply", "dm", "mention"]);
export const QuoteStatus = defineEnum("QuoteStatus", ["draft", "sent", "accepted", "rejected"]);
export const MembershipRole = defineEnum("MembershipRole", ["viewer", "sales", "manager", "admin"]);

const SALES_WRITE = "sales|manager|admin";
const DELETE = "manager|admin";
const standardAccess = { read: "authenticated", create: SALES_WRITE, update: SALES_WRITE, delete: DELETE };

/**
 * Sales see and change only the records they own (`owner` = the User whose id is the principal's
 * `sub`) or whose owner is a member of one of the principal's teams (`teams` claim: Team ids).
 * Managers, admins and viewers have no row rule, so they see every row their role matrix allows.
 */
const ownedOrTeam = (ownerField: string, ownerRelation: string) => {
  const rules = [
    { roles: "sales", where: { [ownerField]: "$principal.sub" } },
    { roles: "sales", where: { [ownerRelation]: { memberships_some: { teamId_in: "$principal.teams" } } } },
  ];
  return { read: rules, update: rules, delete: rules };
};

/** Sales read rules for records attached to a Contact, Deal or Company the salesperson may read. */
const linkedTo = (relations: string[]) =>
  relations.flatMap((relation) => [
    { roles: "sales", where: { [relation]: { ownerId: "$principal.sub" } } },
    { roles: "sales", where: { [relation]: { owner: { memberships_some: { teamId_in: "$principal.teams" } } } } },
  ]);

export const schema = defineSchema({
  config: {
    auditLog: true,
    softDeletes: true,
    defaultPageSize: 25,
    maxPageSize: 100,
    subscriptions: true,
    permissionPrefix: "crm",
    policies: [
      // Won deals are booked revenue: only an admin may change or delete them. Denying update as well
      // as delete closes the two-step way around (set it to lost, then delete it); an update's condition
      // is matched against the row before the change, so moving a deal *to* won stays allowed.
      { effect: "deny", actions: ["update", "delete"], resources: ["crm.deal"], roles: "sales|manager", when: { stage: "won" } },
    ],
  },
  models: {
    User: model({
      tenantScoped: false,
      fields: {
        email: f.string().required().email().unique().max(255),
        name: f.string().required().max(200),
        avatarUrl: f.string().url(),
        active: f.boolean().required().default(true),
      },
      searchable: ["name", "email"],
      // Users are platform data: a tenant sees the users who are its members, and only the platform's
      // system API (the CLI) changes them; a tenant admin manages memberships instead.
      access: { read: "authenticated" },
      rowRules: { read: [{ roles: "authenticated", where: { memberships_some: {} } }] },
      relationships: { memberships: hasMany("Membership", { foreignKey: "userId" }) },
      ui: { displayField: "name", listView: ["name", "email", "active"], editForm: ["name", "email", "avatarUrl", "active"] },
    }),
    Team: model({
      fields: { name: f.string().required().max(120) },
      access: { read: "authenticated", create: "admin", update: "admin", delete: "admin" },
      relationships: { memberships: hasMany("Membership", { foreignKey: "teamId" }) },
      ui: { displayField: "name" },
    }),
    Membership: model({
      fields: {
        userId: f.id().required(),
        teamId: f.id(),
        role: f.enum(MembershipRole).required().default("viewer"),
      },
      relationships: {
        user: belongsTo("User", { foreignKey: "userId", onDelete: "cascade" }),
        team: belongsTo("Team", { foreignKey: "teamId", onDelete: "set null" }),
      },
      access: { read: "authenticated", create: "admin", update: "admin", delete: "admin" },
      indexes: [{ fields: ["userId", "teamId"], unique: false }],
      ui: { displayField: "role", listView: ["userId", "teamId", "role"] },
    }),
    Tag: model({
      fields: { name: f.string().required().max(60), color: f.string().regex("^#[0-9a-fA-F]{6}$") },
      searchable: ["name"],
      access: standardAccess,
      ui: { displayField: "name" },
    }),
    Company: model({
      fields: {
        name: f.string().required().max(255),
        website: f.string().url(),
        industry: f.string().max(120),
        size: f.enum(CompanySize),
        address: f.text(),
        phone: f.string().max(50),
        annualRevenue: f.money().min(0),
        ownerId: f.id().default("$principal.sub"),
        tags: f.array(f.string()),
        notes: f.text(),
      },
      searchable: ["name", "website"],
      access: standardAccess,
      rowRules: ownedOrTeam("ownerId", "owner"),
      fieldAccess: { annualRevenue: { read: "manager|admin" } },
      relationships: {
        owner: belongsTo("User", { foreignKey: "ownerId", onDelete: "set null" }),
        contacts: hasMany("Contact", { foreignKey: "companyId" }),
        deals: hasMany("Deal", { foreignKey: "companyId" }),
        activities: hasMany("Activity", { foreignKey: "companyId" }),
      },
      indexes: [{ fields: ["industry"] }],
      ui: {
        displayField: "name",
        listView: ["name", "industry", "size", "website", "annualRevenue"],
        editForm: ["name", "website", "industry", "size", "address", "phone", "annualRevenue", "ownerId", "tags", "notes"],
      },
    }),
    Contact: model({
      fields: {
        firstName: f.string().required().max(100),
        lastName: f.string().max(100),
        email: f.string().email().unique().max(255),
        phone: f.string().max(50),
        jobTitle: f.string().max(120),
        companyId: f.id(),
        ownerId: f.id().default("$principal.sub"),
        tags: f.array(f.string()),
        lifecycleStage: f.enum(LifecycleStage).default("lead"),
        source: f.string().max(60),
        socialHandles: f.json(),
        notes: f.text(),
      },
      searchable: ["firstName", "lastName", "email"],
      access: standardAccess,
      rowRules: ownedOrTeam("ownerId", "owner"),
      fieldAccess: { notes: { read: "sales|manager|admin" } },
      relationships: {
        company: belongsTo("Company", { foreignKey: "companyId", onDelete: "set null" }),
        owner: belongsTo("User", { foreignKey: "ownerId", onDelete: "set null" }),
        deals: hasMany("Deal", { foreignKey: "contactId" }),
        activities: hasMany("Activity", { foreignKey: "contactId" }),
        labels: manyToMany("Tag", { through: "contact_tags" }),
      },
      ui: {
        displayField: "firstName",
        listView: ["firstName", "lastName", "email", "companyId", "lifecycleStage"],
        editForm: ["firstName", "lastName", "email", "phone", "jobTitle", "companyId", "ownerId", "lifecycleStage", "source", "tags", "notes"],
      },
    }),
    Pipeline: model({
      fields: { name: f.string().required().max(120), isDefault: f.boolean().required().default(false) },
      access: { read: "authenticated", create: "manager|admin", update: "manager|admin", delete: "admin" },
      relationships: {
        stages: hasMany("Stage", { foreignKey: "pipelineId" }),
        deals: hasMany("Deal", { foreignKey: "pipelineId" }),
      },
      ui: { displayField: "name" },
    }),
    Stage: model({
      fields: {
        pipelineId: f.id().required(),
        key: f.enum(DealStage).required(),
        name: f.string().required().max(120),
        position: f.int().required().min(0),
        probability: f.int().required().min(0).max(100),
        kind: f.enum(StageKind).required().default("open"),
      },
      access: { read: "authenticated", create: "manager|admin", update: "manager|admin", delete: "admin" },
      relationships: { pipeline: belongsTo("Pipeline", { foreignKey: "pipelineId", onDelete: "cascade" }) },
      indexes: [{ fields: ["pipelineId", "position"] }],
      ui: { displayField: "name", listView: ["name", "key", "position", "probability", "kind"] },
    }),
    Deal: model({
      fields: {
        title: f.string().required().max(255),
        value: f.money().min(0),
        currency: f.string().required().default("EUR").regex("^[A-Z]{3}$"),
        stage: f.enum(DealStage).required().default("lead"),
        position: f.float().required().default(0),
        pipelineId: f.id(),
        contactId: f.id().required(),
        companyId: f.id(),
        ownerId: f.id().default("$principal.sub"),
        expectedCloseDate: f.date(),
        actualCloseDate: f.date(),
        lostReason: f.text(),
      },
      searchable: ["title"],
      access: standardAccess,
      rowRules: ownedOrTeam("ownerId", "owner"),
      // A closed deal says when it closed, and a lost one why: the board asks for both when a deal
      // is dropped on Won or Lost. Sales write lostReason themselves (they lose the deal).
      validation: { actualCloseDate: "required_if:stage,won,lost", lostReason: "required_if:stage,lost" },
      relationships: {
        pipeline: belongsTo("Pipeline", { foreignKey: "pipelineId", onDelete: "set null" }),
        contact: belongsTo("Contact", { foreignKey: "contactId" }),
        company: belongsTo("Company", { foreignKey: "companyId", onDelete: "set null" }),
        owner: belongsTo("User", { foreignKey: "ownerId", onDelete: "set null" }),
        activities: hasMany("Activity", { foreignKey: "dealId" }),
        quotes: hasMany("Quote", { foreignKey: "dealId" }),
      },
      indexes: [{ fields: ["stage", "position"] }],
      ui: {
        displayField: "title",
        listView: ["title", "value", "currency", "stage", "expectedCloseDate"],
        editForm: ["title", "value", "currency", "stage", "pipelineId", "contactId", "companyId", "ownerId", "expectedCloseDate", "actualCloseDate", "lostReason"],
      },
    }),
    Activity: model({
      fields: {
        type: f.enum(ActivityType).required(),
        title: f.string().required().max(255),
        content: f.text(),
        contactId: f.id(),
        companyId: f.id(),
        dealId: f.id(),
        ticketId: f.id(),
        occurredAt: f.datetime(),
        dueAt: f.datetime(),
        durationMinutes: f.int().min(0),
        status: f.enum(ActivityStatus).required().default("planned"),
        visibility: f.enum(Visibility).required().default("internal"),
        category: f.string().max(60),
        tags: f.array(f.string()),
        assignedToId: f.id().default("$principal.sub"),
      },
      searchable: ["title", "content"],
      access: standardAccess,
      rowRules: {
        ...ownedOrTeam("assignedToId", "assignedTo"),
        // Notes logged by others on a contact, deal or company she may read are part of that record's story.
        read: [...ownedOrTeam("assignedToId", "assignedTo").read, ...linkedTo(["contact", "deal", "company"])],
      },
      relationships: {
        contact: belongsTo("Contact", { foreignKey: "contactId", onDelete: "cascade" }),
        company: belongsTo("Company", { foreignKey: "companyId", onDelete: "cascade" }),
        deal: belongsTo("Deal", { foreignKey: "dealId", onDelete: "cascade" }),
        ticket: belongsTo("Ticket", { foreignKey: "ticketId", onDelete: "cascade" }),
        assignedTo: belongsTo("User", { foreignKey: "assignedToId", onDelete: "set null" }),
      },
      ui: {
        displayField: "title",
        listView: ["type", "title", "status", "occurredAt", "dueAt"],
        editForm: ["type", "title", "content", "contactId", "companyId", "dealId", "occurredAt", "dueAt", "durationMinutes", "status", "visibility", "category", "tags", "assignedToId"],
      },
    }),
    Lead: model({
      fields: {
        name: f.string().required().max(200),
        email: f.string().email().max(255),
        source: f.string().max(60),
        status: f.enum(LeadStatus).required().default("new"),
        score: f.int().min(0).max(100),
        contactId: f.id(),
        ownerId: f.id().default("$principal.sub"),
        notes: f.text(),
      },
      searchable: ["name", "email"],
      access: standardAccess,
      relationships: {
        contact: belongsTo("Contact", { foreignKey: "contactId", onDelete: "set null" }),
        owner: belongsTo("User", { foreignKey: "ownerId", onDelete: "set null" }),
      },
      ui: { displayField: "name", listView: ["name", "email", "source", "status", "score"] },
    }),
    Ticket: model({
      fields: {
        subject: f.string().required().max(255),
        description: f.text(),
        status: f.enum(TicketStatus).required().default("open"),
        priority: f.enum(TicketPriority).required().default("normal"),
        contactId: f.id(),
        companyId: f.id(),
        assigneeId: f.id(),
      },
      searchable: ["subject", "description"],
      access: standardAccess,
      relationships: {
        contact: belongsTo("Contact", { foreignKey: "contactId", onDelete: "set null" }),
        company: belongsTo("Company", { foreignKey: "companyId", onDelete: "set null" }),
        assignee: belongsTo("User", { foreignKey: "assigneeId", onDelete: "set null" }),
        activities: hasMany("Activity", { foreignKey: "ticketId" }),
      },
      ui: { displayField: "subject", listView: ["subject", "status", "priority", "contactId"] },
    }),
    SocialEvent: model({
      fields: {
        kind: f.enum(SocialKind).required(),
        network: f.string().required().max(40),
        externalId: f.string().required().unique().max(255),
        author: f.string().max(255),
        content: f.text(),
        occurredAt: f.datetime().required(),
        contactId: f.id(),
        leadId: f.id(),
        ticketId: f.id(),
        payload: f.json(),
      },
      searchable: ["content", "author"],
      access: standardAccess,
      relationships: {
        contact: belongsTo("Contact", { foreignKey: "contactId", onDelete: "set null" }),
        lead: belongsTo("Lead", { foreignKey: "leadId", onDelete: "set null" }),
        ticket: belongsTo("Ticket", { foreignKey: "ticketId", onDelete: "set null" }),
      },
      ui: { displayField: "author", listView: ["kind", "network", "author", "occurredAt"] },
    }),
    Quote: model({
      fields: {
        number: f.string().required().unique().max(40),
        dealId: f.id().required(),
        status: f.enum(QuoteStatus).required().default("draft"),
        currency: f.string().required().default("EUR").regex("^[A-Z]{3}$"),
        total: f.money().min(0),
        validUntil: f.date(),
        sentAt: f.datetime(),
      },
      access: standardAccess,
      relationships: {
        deal: belongsTo("Deal", { foreignKey: "dealId", onDelete: "cascade" }),
        items: hasMany("QuoteItem", { foreignKey: "quoteId" }),
      },
      ui: { displayField: "number", listView: ["number", "status", "total", "currency", "validUntil"] },
    }),
    QuoteItem: model({
      fields: {
        quoteId: f.id().required(),
        description: f.string().required().max(255),
        quantity: f.decimal().required().min(0),
        unitPrice: f.money().required().min(0),
        position: f.int().required().default(0),
      },
      access: standardAccess,
      relationships: { quote: belongsTo("Quote", { foreignKey: "quoteId", onDelete: "cascade" }) },
      ui: { displayField: "description", listView: ["description", "quantity", "unitPrice"] },
    }),
  },
});

export default schema;
