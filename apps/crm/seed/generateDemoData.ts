// Deterministic, pure demo-data generator for the CRM template. No I/O, no database, no clock:
// every date is relative to DEMO_REFERENCE_DATE and every id comes from a seeded PRNG, so the
// same options always give byte-identical output.
//
// Records use the API field names of apps/crm/schema.ts plus `id`. Optional fields without a
// value are `null` (every record of a model has the same keys). Money is a string with two
// decimals, `decimal` (QuoteItem.quantity) likewise; dates are 'YYYY-MM-DD', datetimes ISO 8601.
import type {
  ActivityStatus,
  ActivityType,
  CompanySize,
  DealStage,
  LeadStatus,
  LifecycleStage,
  MembershipRole,
  QuoteStatus,
  StageKind,
  TicketPriority,
  TicketStatus,
  Visibility,
} from "../schema.ts";
import { Random, hashString, uuidFrom, uuidFromString } from "./random.ts";
import {
  ACTIVITY_CATEGORIES,
  ACTIVITY_TITLES,
  CITIES,
  COMPANY_NOUNS,
  COMPANY_PREFIXES,
  COMPANY_SUFFIXES,
  CONTACT_SOURCES,
  CURRENCIES,
  DEAL_PRODUCTS,
  FIRST_NAMES,
  INDUSTRIES,
  JOB_TITLES,
  LAST_NAMES,
  LEAD_SOURCES,
  LOST_REASONS,
  QUOTE_ITEMS,
  TAGS,
  TICKET_SUBJECTS,
  asciiSlug,
} from "./vocabulary.ts";

type EnumValues<E> = E extends { readonly values: readonly (infer V)[] } ? V : never;

export type MembershipRoleValue = EnumValues<typeof MembershipRole>;
export type CompanySizeValue = EnumValues<typeof CompanySize>;
export type LifecycleStageValue = EnumValues<typeof LifecycleStage>;
export type DealStageValue = EnumValues<typeof DealStage>;
export type StageKindValue = EnumValues<typeof StageKind>;
export type ActivityTypeValue = EnumValues<typeof ActivityType>;
export type ActivityStatusValue = EnumValues<typeof ActivityStatus>;
export type VisibilityValue = EnumValues<typeof Visibility>;
export type LeadStatusValue = EnumValues<typeof LeadStatus>;
export type TicketStatusValue = EnumValues<typeof TicketStatus>;
export type TicketPriorityValue = EnumValues<typeof TicketPriority>;
export type QuoteStatusValue = EnumValues<typeof QuoteStatus>;

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
  active: boolean;
}

export interface TeamRecord {
  id: string;
  name: string;
}

export interface MembershipRecord {
  id: string;
  userId: string;
  teamId: string | null;
  role: MembershipRoleValue;
}

export interface TagRecord {
  id: string;
  name: string;
  color: string;
}

export interface PipelineRecord {
  id: string;
  name: string;
  isDefault: boolean;
}

export interface StageRecord {
  id: string;
  pipelineId: string;
  key: DealStageValue;
  name: string;
  position: number;
  probability: number;
  kind: StageKindValue;
}

export interface CompanyRecord {
  id: string;
  name: string;
  website: string | null;
  industry: string | null;
  size: CompanySizeValue | null;
  address: string | null;
  phone: string | null;
  annualRevenue: string | null;
  ownerId: string | null;
  tags: string[];
  notes: string | null;
}

export interface SocialHandles {
  linkedin?: string;
  twitter?: string;
  mastodon?: string;
}

export interface ContactRecord {
  id: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  jobTitle: string | null;
  companyId: string | null;
  ownerId: string | null;
  tags: string[];
  lifecycleStage: LifecycleStageValue;
  source: string | null;
  socialHandles: SocialHandles | null;
  notes: string | null;
}

export interface DealRecord {
  id: string;
  title: string;
  value: string;
  currency: string;
  stage: DealStageValue;
  position: number;
  pipelineId: string;
  contactId: string;
  companyId: string | null;
  ownerId: string;
  expectedCloseDate: string | null;
  actualCloseDate: string | null;
  lostReason: string | null;
}

export interface ActivityRecord {
  id: string;
  type: ActivityTypeValue;
  title: string;
  content: string | null;
  contactId: string | null;
  companyId: string | null;
  dealId: string | null;
  ticketId: string | null;
  occurredAt: string | null;
  dueAt: string | null;
  durationMinutes: number | null;
  status: ActivityStatusValue;
  visibility: VisibilityValue;
  category: string | null;
  tags: string[];
  assignedToId: string | null;
}

export interface LeadRecord {
  id: string;
  name: string;
  email: string | null;
  source: string | null;
  status: LeadStatusValue;
  score: number | null;
  contactId: string | null;
  ownerId: string | null;
  notes: string | null;
}

export interface TicketRecord {
  id: string;
  subject: string;
  description: string | null;
  status: TicketStatusValue;
  priority: TicketPriorityValue;
  contactId: string | null;
  companyId: string | null;
  assigneeId: string | null;
}

export interface QuoteRecord {
  id: string;
  number: string;
  dealId: string;
  status: QuoteStatusValue;
  currency: string;
  total: string;
  validUntil: string | null;
  sentAt: string | null;
}

export interface QuoteItemRecord {
  id: string;
  quoteId: string;
  description: string;
  quantity: string;
  unitPrice: string;
  position: number;
}

/** Generated records per model, keyed in insertion (foreign-key dependency) order. */
export interface DemoData {
  users: UserRecord[];
  teams: TeamRecord[];
  memberships: MembershipRecord[];
  tags: TagRecord[];
  pipelines: PipelineRecord[];
  stages: StageRecord[];
  companies: CompanyRecord[];
  contacts: ContactRecord[];
  deals: DealRecord[];
  activities: ActivityRecord[];
  leads: LeadRecord[];
  tickets: TicketRecord[];
  quotes: QuoteRecord[];
  quoteItems: QuoteItemRecord[];
}

export interface DemoDataOptions {
  /**
   * Omitted or 1: the default demo set (150 deals). Any other positive integer N: exactly N deals,
   * with the other models scaled sub-linearly (see `demoDataCounts`).
   */
  scale?: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Mixed into the ids of tenant-scoped records so two tenants never share ids. */
  tenantId: string;
}

/** The order to insert `DemoData` in, with the schema model each key holds. */
export const DEMO_DATA_ORDER: readonly { readonly key: keyof DemoData; readonly model: string }[] = [
  { key: "users", model: "User" },
  { key: "teams", model: "Team" },
  { key: "memberships", model: "Membership" },
  { key: "tags", model: "Tag" },
  { key: "pipelines", model: "Pipeline" },
  { key: "stages", model: "Stage" },
  { key: "companies", model: "Company" },
  { key: "contacts", model: "Contact" },
  { key: "deals", model: "Deal" },
  { key: "activities", model: "Activity" },
  { key: "leads", model: "Lead" },
  { key: "tickets", model: "Ticket" },
  { key: "quotes", model: "Quote" },
  { key: "quoteItems", model: "QuoteItem" },
];

/** Every date and datetime in the demo data is relative to this instant. */
export const DEMO_REFERENCE_DATE = "2026-01-01T00:00:00.000Z";
const REFERENCE_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

export interface DemoUser {
  /** Stable: derived from the email only, identical across seeds and tenants (User is not tenant-scoped). */
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: MembershipRoleValue;
}

function demoUser(email: string, name: string, role: MembershipRoleValue): DemoUser {
  return { id: uuidFromString(`tessera-demo-user:${email}`), email, name, role };
}

export const DEMO_USERS: readonly DemoUser[] = [
  demoUser("ana@demo.tessera.dev", "Ana Álvarez", "admin"),
  demoUser("bruno@demo.tessera.dev", "Bruno Müller", "manager"),
  demoUser("chloe@demo.tessera.dev", "Chloé Dubois", "sales"),
  demoUser("dan@demo.tessera.dev", "Dan O'Brien", "viewer"),
];

export interface DemoDataCounts {
  companies: number;
  contacts: number;
  deals: number;
  activities: number;
  leads: number;
  tickets: number;
  quotes: number;
}

/** The record counts `generateDemoData` produces for a given scale (quoteItems: 1–4 per quote). */
export function demoDataCounts(scale?: number): DemoDataCounts {
  let deals = 150;
  if (scale !== undefined && scale !== 1) {
    if (!Number.isSafeInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer, got ${String(scale)}`);
    deals = scale;
  }
  return {
    deals,
    companies: Math.max(50, Math.floor(deals / 50)),
    contacts: Math.max(200, Math.floor(deals / 5)),
    // Sub-linear like the others: a benchmark dataset is about deals; 100k deals bring 25k activities.
    activities: Math.max(500, Math.floor(deals / 4)),
    leads: Math.max(30, Math.floor(deals / 20)),
    tickets: Math.max(25, Math.floor(deals / 20)),
    quotes: Math.max(20, Math.floor(deals / 50)),
  };
}

const STAGE_DEFS: readonly { key: DealStageValue; name: string; probability: number; kind: StageKindValue }[] = [
  { key: "lead", name: "Lead", probability: 10, kind: "open" },
  { key: "qualified", name: "Qualified", probability: 25, kind: "open" },
  { key: "proposal", name: "Proposal", probability: 50, kind: "open" },
  { key: "negotiation", name: "Negotiation", probability: 75, kind: "open" },
  { key: "won", name: "Won", probability: 100, kind: "won" },
  { key: "lost", name: "Lost", probability: 0, kind: "lost" },
];

const STAGE_WEIGHTS: readonly (readonly [DealStageValue, number])[] = [
  ["lead", 25],
  ["qualified", 20],
  ["proposal", 18],
  ["negotiation", 12],
  ["won", 15],
  ["lost", 10],
];

const ACTIVITY_TYPES: readonly ActivityTypeValue[] = ["note", "call", "meeting", "email", "task"];

const SHOWCASE_CONTACTS: readonly (readonly [string, string])[] = [
  ["José", "García"],
  ["Zoë", "Brontë"],
  ["Søren", "Søndergaard"],
  ["François", "Lefèvre"],
  ["Łukasz", "Wójcik"],
  ["Ñuño", "Peña"],
  ["Åsa", "Ångström"],
  ["Jürgen", "Müller"],
];

const FREE_MAIL_DOMAINS: readonly string[] = ["mail.example.org", "post.example.net", "example.com"];

function money(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents - whole * 100;
  return `${whole}.${rest < 10 ? "0" : ""}${rest}`;
}

// Formatting through Date#toISOString is the hot path at 100k deals; dates are whole days or
// quarter hours from the reference, so cache the day part and build the time part by hand.
const dayCache = new Map<number, string>();

function isoDate(ms: number): string {
  const day = Math.floor((ms - REFERENCE_MS) / DAY_MS);
  let text = dayCache.get(day);
  if (text === undefined) {
    text = new Date(REFERENCE_MS + day * DAY_MS).toISOString().slice(0, 10);
    dayCache.set(day, text);
  }
  return text;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function isoDateTime(ms: number): string {
  const withinDay = (ms - REFERENCE_MS) - Math.floor((ms - REFERENCE_MS) / DAY_MS) * DAY_MS;
  const minutes = Math.floor(withinDay / 60_000);
  const seconds = Math.floor((withinDay % 60_000) / 1000);
  const millis = withinDay % 1000;
  return `${isoDate(ms)}T${two(Math.floor(minutes / 60))}:${two(minutes % 60)}:${two(seconds)}.${String(millis).padStart(3, "0")}Z`;
}

/** A business-hours instant `days` days from the reference date (negative: in the past). */
function businessTime(rng: Random, days: number): number {
  return REFERENCE_MS + days * DAY_MS + rng.int(8, 17) * 3_600_000 + rng.int(0, 3) * 900_000;
}

/** Builds deterministic demo data for one tenant. Pure: same options, deep-equal (and byte-identical JSON) output. */
export function generateDemoData(options: DemoDataOptions): DemoData {
  const { tenantId } = options;
  if (typeof tenantId !== "string" || tenantId.length === 0) throw new TypeError("tenantId must be a non-empty string");
  const seed = options.seed ?? 1;
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${String(seed)}`);
  const counts = demoDataCounts(options.scale);

  const rng = new Random(hashString(`tessera-demo-data:${seed}`));
  const idRng = new Random(hashString(`tessera-demo-ids:${seed}:${tenantId}`));
  const newId = (): string => uuidFrom(idRng);
  const usedEmails = new Set<string>();
  const uniqueEmail = (local: string, domain: string): string => {
    const base = local.length > 0 ? local : "contact";
    let email = `${base}@${domain}`;
    for (let n = 2; usedEmails.has(email); n++) email = `${base}${n}@${domain}`;
    usedEmails.add(email);
    return email;
  };

  // Users, teams, memberships.
  const users: UserRecord[] = DEMO_USERS.map((u) => {
    usedEmails.add(u.email);
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      avatarUrl: `https://demo.tessera.dev/avatars/${u.email.slice(0, u.email.indexOf("@"))}.png`,
      active: true,
    };
  });
  const userByRole = (role: MembershipRoleValue): string => {
    const user = DEMO_USERS.find((u) => u.role === role);
    if (!user) throw new Error(`no demo user with role ${role}`);
    return user.id;
  };
  const adminId = userByRole("admin");
  const managerId = userByRole("manager");
  const salesId = userByRole("sales");
  const viewerId = userByRole("viewer");
  const sellers: readonly string[] = [salesId, managerId];
  const staff: readonly string[] = [adminId, managerId, salesId];

  const teams: TeamRecord[] = [
    { id: newId(), name: "Sales EMEA" },
    { id: newId(), name: "Customer Success" },
  ];
  const teamOf: Record<string, string | null> = {
    [adminId]: null,
    [managerId]: teams[0].id,
    [salesId]: teams[0].id,
    [viewerId]: teams[1].id,
  };
  const memberships: MembershipRecord[] = DEMO_USERS.map((u) => ({ id: newId(), userId: u.id, teamId: teamOf[u.id] ?? null, role: u.role }));

  const tags: TagRecord[] = TAGS.map((t) => ({ id: newId(), name: t.name, color: t.color }));
  const tagNames = tags.map((t) => t.name);

  // Pipelines and stages.
  const pipelines: PipelineRecord[] = [
    { id: newId(), name: "Sales", isDefault: true },
    { id: newId(), name: "Partnerships", isDefault: false },
  ];
  const stages: StageRecord[] = [];
  for (const pipeline of pipelines) {
    STAGE_DEFS.forEach((def, position) => {
      stages.push({ id: newId(), pipelineId: pipeline.id, key: def.key, name: def.name, position, probability: def.probability, kind: def.kind });
    });
  }

  // Companies.
  const companies: CompanyRecord[] = [];
  const companyDomains: string[] = [];
  const usedCompanyNames = new Set<string>();
  const usedDomains = new Set<string>();
  const sizeWeights: readonly (readonly [CompanySizeValue, number])[] = [
    ["startup", 25],
    ["small", 30],
    ["medium", 25],
    ["large", 13],
    ["enterprise", 7],
  ];
  const revenueRange: Record<CompanySizeValue, readonly [number, number]> = {
    startup: [100, 2_000],
    small: [1_000, 10_000],
    medium: [10_000, 100_000],
    large: [100_000, 1_000_000],
    enterprise: [1_000_000, 20_000_000],
  };
  for (let i = 0; i < counts.companies; i++) {
    const prefix = rng.pick(COMPANY_PREFIXES);
    const noun = rng.pick(COMPANY_NOUNS);
    let name = `${prefix} ${noun} ${rng.pick(COMPANY_SUFFIXES)}`;
    for (let n = 2; usedCompanyNames.has(name); n++) name = `${prefix} ${noun} ${n}`;
    usedCompanyNames.add(name);
    let domain = `${asciiSlug(`${prefix} ${noun}`, "-")}.example.com`;
    for (let n = 2; usedDomains.has(domain); n++) domain = `${asciiSlug(`${prefix} ${noun}`, "-")}-${n}.example.com`;
    usedDomains.add(domain);
    companyDomains.push(domain);
    const size = rng.chance(0.95) ? rng.weighted(sizeWeights) : null;
    const place = rng.pick(CITIES);
    const [minRevenue, maxRevenue] = revenueRange[size ?? "small"];
    companies.push({
      id: newId(),
      name,
      website: rng.chance(0.9) ? `https://www.${domain}` : null,
      industry: rng.chance(0.95) ? rng.pick(INDUSTRIES) : null,
      size,
      address: rng.chance(0.85) ? `${place.street} ${rng.int(1, 180)}\n${place.postcode} ${place.city}\n${place.country}` : null,
      phone: rng.chance(0.8) ? `${place.phonePrefix} ${rng.int(100, 999)} ${rng.int(1000, 9999)}` : null,
      annualRevenue: size !== null && rng.chance(0.8) ? money(rng.int(minRevenue, maxRevenue) * 100_000) : null,
      ownerId: rng.pick(sellers),
      tags: rng.chance(0.4) ? rng.subset(tagNames, 3) : [],
      notes: rng.chance(0.3) ? `Key account in ${place.city}. Prefers contact by email; fiscal year starts in ${rng.pick(["January", "April", "July", "October"])}.` : null,
    });
  }

  // Contacts. The first `companies` contacts cover every company once.
  const contacts: ContactRecord[] = [];
  const contactCompanyIndex: number[] = [];
  const lifecycleWeights: readonly (readonly [LifecycleStageValue, number])[] = [
    ["subscriber", 10],
    ["lead", 35],
    ["opportunity", 25],
    ["customer", 22],
    ["evangelist", 5],
    ["other", 3],
  ];
  for (let i = 0; i < counts.contacts; i++) {
    const showcase = i < SHOWCASE_CONTACTS.length ? SHOWCASE_CONTACTS[i] : undefined;
    const firstName = showcase ? showcase[0] : rng.pick(FIRST_NAMES);
    const lastName = showcase ? showcase[1] : rng.chance(0.97) ? rng.pick(LAST_NAMES) : null;
    const companyIndex = i < counts.companies ? i : rng.chance(0.92) ? rng.int(0, counts.companies - 1) : -1;
    const company = companyIndex >= 0 ? companies[companyIndex] : undefined;
    const local = asciiSlug(lastName === null ? firstName : `${firstName} ${lastName}`, ".");
    const domain = companyIndex >= 0 ? companyDomains[companyIndex] : rng.pick(FREE_MAIL_DOMAINS);
    const hasEmail = showcase !== undefined || rng.chance(0.95);
    const handle = asciiSlug(`${firstName}${lastName ?? ""}`, "");
    const social = rng.next();
    contactCompanyIndex.push(companyIndex);
    contacts.push({
      id: newId(),
      firstName,
      lastName,
      email: hasEmail ? uniqueEmail(local, domain) : null,
      phone: rng.chance(0.7) ? `${rng.pick(CITIES).phonePrefix} ${rng.int(100, 999)} ${rng.int(1000, 9999)}` : null,
      jobTitle: rng.chance(0.8) ? rng.pick(JOB_TITLES) : null,
      companyId: company ? company.id : null,
      ownerId: company ? company.ownerId : rng.pick(sellers),
      tags: rng.chance(0.35) ? rng.subset(tagNames, 3) : [],
      lifecycleStage: rng.weighted(lifecycleWeights),
      source: rng.chance(0.85) ? rng.pick(CONTACT_SOURCES) : null,
      socialHandles:
        social < 0.25
          ? { linkedin: `https://www.linkedin.com/in/${handle}-${i}` }
          : social < 0.4
            ? { twitter: `@${handle.slice(0, 12)}${i % 100}`, linkedin: `https://www.linkedin.com/in/${handle}-${i}` }
            : social < 0.45
              ? { mastodon: `@${handle}@mastodon.example.org` }
              : null,
      notes: rng.chance(0.2) ? `Met ${firstName} at ${rng.pick(["Web Summit", "SaaStr Europa", "a partner dinner", "the Lisbon meetup", "our webinar"])}.` : null,
    });
  }

  // Deals. The first 12 cover every stage of both pipelines; positions are 1000-spaced per stage.
  const deals: DealRecord[] = [];
  const nextPosition: Record<DealStageValue, number> = { lead: 0, qualified: 0, proposal: 0, negotiation: 0, won: 0, lost: 0 };
  for (let i = 0; i < counts.deals; i++) {
    const pipeline = i < 6 ? pipelines[0] : i < 12 ? pipelines[1] : rng.chance(0.8) ? pipelines[0] : pipelines[1];
    const stage = i < 12 ? STAGE_DEFS[i % 6].key : rng.weighted(STAGE_WEIGHTS);
    nextPosition[stage] += 1000;
    const contactIndex = rng.int(0, contacts.length - 1);
    const contact = contacts[contactIndex];
    const companyIndex = contactCompanyIndex[contactIndex];
    const counterpart = companyIndex >= 0 ? companies[companyIndex].name : `${contact.firstName}${contact.lastName === null ? "" : ` ${contact.lastName}`}`;
    const closed = stage === "won" || stage === "lost";
    const closedMs = REFERENCE_MS - rng.int(1, 365) * DAY_MS;
    deals.push({
      id: newId(),
      title: `${rng.pick(DEAL_PRODUCTS)} – ${counterpart}`,
      value: money(rng.int(1_000, 250_000) * 100),
      currency: rng.weighted(CURRENCIES),
      stage,
      position: nextPosition[stage],
      pipelineId: pipeline.id,
      contactId: contact.id,
      companyId: contact.companyId,
      ownerId: rng.pick(sellers),
      expectedCloseDate: closed ? isoDate(closedMs + rng.int(-30, 30) * DAY_MS) : rng.chance(0.9) ? isoDate(REFERENCE_MS + rng.int(7, 180) * DAY_MS) : null,
      actualCloseDate: closed ? isoDate(closedMs) : null,
      lostReason: stage === "lost" ? rng.pick(LOST_REASONS) : null,
    });
  }

  // Activities: ~60% on a deal, ~30% on a contact, ~10% on a company only.
  const activities: ActivityRecord[] = [];
  const typeWeights: readonly (readonly [ActivityTypeValue, number])[] = [
    ["note", 20],
    ["call", 25],
    ["meeting", 15],
    ["email", 25],
    ["task", 15],
  ];
  for (let i = 0; i < counts.activities; i++) {
    const type = i < ACTIVITY_TYPES.length ? ACTIVITY_TYPES[i] : rng.weighted(typeWeights);
    const link = i < 3 ? [0.3, 0.7, 0.95][i] : rng.next();
    let contactId: string | null = null;
    let companyId: string | null = null;
    let dealId: string | null = null;
    let about: string;
    if (link < 0.6) {
      const deal = rng.pick(deals);
      dealId = deal.id;
      contactId = deal.contactId;
      companyId = deal.companyId;
      about = deal.title;
    } else if (link < 0.9) {
      const contact = rng.pick(contacts);
      contactId = contact.id;
      companyId = contact.companyId;
      about = contact.firstName;
    } else {
      const company = rng.pick(companies);
      companyId = company.id;
      about = company.name;
    }
    const status: ActivityStatusValue =
      type === "note"
        ? "done"
        : type === "email"
          ? rng.chance(0.9)
            ? "done"
            : "planned"
          : rng.weighted<ActivityStatusValue>(type === "task" ? [["done", 40], ["planned", 50], ["cancelled", 10]] : [["done", 60], ["planned", 30], ["cancelled", 10]]);
    const pastMs = businessTime(rng, -rng.int(1, 365));
    const futureMs = businessTime(rng, rng.int(0, 60));
    let occurredAt: string | null = null;
    let dueAt: string | null = null;
    if (status === "done") {
      occurredAt = isoDateTime(pastMs);
      if (type === "task") dueAt = isoDateTime(pastMs + rng.int(0, 3) * DAY_MS);
    } else if (status === "planned") {
      dueAt = isoDateTime(futureMs);
    } else {
      dueAt = isoDateTime(rng.chance(0.5) ? pastMs : futureMs);
    }
    activities.push({
      id: newId(),
      type,
      title: rng.pick(ACTIVITY_TITLES[type]),
      content: rng.chance(0.7) ? `Regarding ${about}: ${rng.pick(["discussed next steps", "budget confirmed", "waiting for legal review", "asked for references", "très intéressé par la démo", "will loop in the CFO"])}.` : null,
      contactId,
      companyId,
      dealId,
      ticketId: null,
      occurredAt,
      dueAt,
      durationMinutes: type === "call" ? rng.int(5, 60) : type === "meeting" ? rng.int(2, 8) * 15 : null,
      status,
      visibility: (type === "email" || type === "meeting") && rng.chance(0.25) ? "client_visible" : "internal",
      category: rng.chance(0.7) ? rng.pick(ACTIVITY_CATEGORIES) : null,
      tags: rng.chance(0.3) ? rng.subset(tagNames, 2) : [],
      assignedToId: rng.pick(staff),
    });
  }

  // Leads.
  const leads: LeadRecord[] = [];
  const leadStatusWeights: readonly (readonly [LeadStatusValue, number])[] = [
    ["new", 30],
    ["contacted", 25],
    ["qualified", 20],
    ["converted", 15],
    ["disqualified", 10],
  ];
  for (let i = 0; i < counts.leads; i++) {
    const status = i < leadStatusWeights.length ? leadStatusWeights[i][0] : rng.weighted(leadStatusWeights);
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const linked = status === "converted" || (status === "qualified" && rng.chance(0.5));
    leads.push({
      id: newId(),
      name: `${firstName} ${lastName}`,
      email: rng.chance(0.9) ? uniqueEmail(asciiSlug(`${firstName} ${lastName}`, "."), "leads.example.org") : null,
      source: rng.pick(LEAD_SOURCES),
      status,
      score: rng.chance(0.9) ? rng.int(0, 100) : null,
      contactId: linked ? rng.pick(contacts).id : null,
      ownerId: rng.chance(0.9) ? rng.pick(sellers) : null,
      notes: rng.chance(0.3) ? `Came in via ${rng.pick(LEAD_SOURCES)}; interested in ${rng.pick(DEAL_PRODUCTS).toLowerCase()}.` : null,
    });
  }

  // Tickets.
  const tickets: TicketRecord[] = [];
  const ticketStatusWeights: readonly (readonly [TicketStatusValue, number])[] = [
    ["open", 35],
    ["pending", 20],
    ["resolved", 25],
    ["closed", 20],
  ];
  const priorityWeights: readonly (readonly [TicketPriorityValue, number])[] = [
    ["low", 20],
    ["normal", 50],
    ["high", 22],
    ["urgent", 8],
  ];
  for (let i = 0; i < counts.tickets; i++) {
    const contact = rng.chance(0.95) ? rng.pick(contacts) : undefined;
    const status = i < ticketStatusWeights.length ? ticketStatusWeights[i][0] : rng.weighted(ticketStatusWeights);
    tickets.push({
      id: newId(),
      subject: rng.pick(TICKET_SUBJECTS),
      description: rng.chance(0.85) ? `Reported by ${contact ? contact.firstName : "a customer"}. Steps to reproduce attached; affects ${rng.int(1, 40)} users.` : null,
      status,
      priority: i < priorityWeights.length ? priorityWeights[i][0] : rng.weighted(priorityWeights),
      contactId: contact ? contact.id : null,
      companyId: contact ? contact.companyId : null,
      assigneeId: status === "open" && rng.chance(0.3) ? null : rng.pick(staff),
    });
  }

  // Quotes and their items, on deals that reached the proposal stage (any deal if none did).
  const quoteable = deals.filter((d) => d.stage === "proposal" || d.stage === "negotiation" || d.stage === "won" || d.stage === "lost");
  const quoteDeals = quoteable.length > 0 ? quoteable : deals;
  const quotes: QuoteRecord[] = [];
  const quoteItems: QuoteItemRecord[] = [];
  for (let i = 0; i < counts.quotes; i++) {
    const deal = rng.pick(quoteDeals);
    const status: QuoteStatusValue =
      deal.stage === "won" ? "accepted" : deal.stage === "lost" ? "rejected" : deal.stage === "negotiation" ? "sent" : rng.chance(0.6) ? "sent" : "draft";
    const quoteId = newId();
    const itemCount = i < 4 ? i + 1 : rng.int(1, 4);
    let totalCents = 0;
    for (let position = 0; position < itemCount; position++) {
      const item = rng.pick(QUOTE_ITEMS);
      const unitCents = rng.int(item.minPrice, item.maxPrice) * 100;
      const halves = item.fractional ? rng.int(1, 20) : rng.int(1, 50) * 2;
      totalCents += (halves * unitCents) / 2;
      quoteItems.push({ id: newId(), quoteId, description: item.description, quantity: (halves / 2).toFixed(2), unitPrice: money(unitCents), position });
    }
    const sentMs = businessTime(rng, -rng.int(1, 120));
    quotes.push({
      id: quoteId,
      number: `Q-2026-${String(i + 1).padStart(4, "0")}`,
      dealId: deal.id,
      status,
      currency: deal.currency,
      total: money(totalCents),
      validUntil: isoDate((status === "draft" ? REFERENCE_MS : sentMs) + 30 * DAY_MS),
      sentAt: status === "draft" ? null : isoDateTime(sentMs),
    });
  }

  return { users, teams, memberships, tags, pipelines, stages, companies, contacts, deals, activities, leads, tickets, quotes, quoteItems };
}
