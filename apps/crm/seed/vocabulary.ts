// Word lists for the demo-data generator. Names deliberately include accents and non-ASCII
// letters so search, sorting and collation get exercised.

export const FIRST_NAMES: readonly string[] = [
  "José", "Zoë", "Søren", "François", "Łukasz", "Ñuño", "Åsa", "Björn", "Chloé", "Renée",
  "Mário", "João", "Inês", "Ørjan", "Małgorzata", "Jürgen", "Günther", "Élodie", "Noémie", "Raphaël",
  "Íñigo", "Begoña", "Göran", "Ægir", "Dóra", "Zsófia", "Ľubomír", "Tomáš", "Vojtěch", "Siobhán",
  "Seán", "Aoife", "Maëlle", "Anaïs", "Kateřina", "Agnieszka", "Paweł", "Nikolaj", "Mette", "Jørgen",
  "Lena", "Emma", "Liam", "Olivia", "Noah", "Mia", "Lucas", "Sofia", "Hugo", "Ines",
  "Amara", "Kenji", "Yuki", "Priya", "Arjun", "Fatima", "Omar", "Layla", "Mateo", "Valentina",
];

export const LAST_NAMES: readonly string[] = [
  "García", "Müller", "Ångström", "Dubois", "Kowalski", "Nuñez", "Søndergaard", "Lefèvre", "Schröder", "Øster",
  "Fernández", "Gonçalves", "Brontë", "Weiß", "Jäger", "Höglund", "Łęcki", "Wójcik", "Núñez", "Peña",
  "Ibáñez", "Çelik", "Yılmaz", "Öztürk", "Đorđević", "Novák", "Dvořáková", "Ó Súilleabháin", "MacGréagóir", "Sørensen",
  "Lindqvist", "Åkesson", "Bäcker", "Fischer", "Moreau", "Lambert", "Rossi", "Bianchi", "Esposito", "Costa",
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Tanaka", "Suzuki", "Sharma", "Patel", "Haddad",
  "O'Connor", "D'Angelo", "van der Berg", "de la Cruz", "Le Gall", "Nguyễn", "Trần", "Kim", "Park", "Silva",
];

export const COMPANY_PREFIXES: readonly string[] = [
  "Nordlicht", "Café", "Müller", "Société", "Ñandú", "Łódź", "Ångström", "Fjørd", "Blåbær", "Zürich",
  "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Pied Piper", "Cyberdyne",
  "Aurora", "Borealis", "Cascade", "Dolomiti", "Everest", "Fenix", "Granite", "Helios", "Ibérica", "Jade",
  "Kappa", "Lumière", "Mistral", "Nébula", "Orión", "Polaris", "Quasar", "Riviera", "Sierra", "Tundra",
  "Ultramar", "Vértice", "Wolke", "Xenon", "Yggdrasil", "Zéphyr", "Brückner", "Château", "Øresund", "Göteborg",
];

export const COMPANY_NOUNS: readonly string[] = [
  "Analytics", "Logistics", "Robotics", "Systems", "Labs", "Consulting", "Foods", "Energy", "Health", "Media",
  "Software", "Dynamics", "Networks", "Solutions", "Ventures", "Textiles", "Biotech", "Pharma", "Motors", "Cloud",
];

export const COMPANY_SUFFIXES: readonly string[] = ["GmbH", "S.A.", "SARL", "Ltd", "Inc.", "AB", "ApS", "Sp. z o.o.", "S.L.", "BV", "AG", "Oy"];

export const INDUSTRIES: readonly string[] = [
  "Software", "Manufacturing", "Retail", "Healthcare", "Financial Services", "Logistics", "Energy",
  "Education", "Hospitality", "Media & Entertainment", "Telecommunications", "Agriculture", "Real Estate", "Automotive",
];

export const CITIES: readonly { city: string; country: string; street: string; phonePrefix: string; postcode: string }[] = [
  { city: "Madrid", country: "Spain", street: "Calle de Alcalá", phonePrefix: "+34 91", postcode: "28014" },
  { city: "Barcelona", country: "Spain", street: "Passeig de Gràcia", phonePrefix: "+34 93", postcode: "08007" },
  { city: "München", country: "Germany", street: "Maximilianstraße", phonePrefix: "+49 89", postcode: "80539" },
  { city: "Köln", country: "Germany", street: "Hohe Straße", phonePrefix: "+49 221", postcode: "50667" },
  { city: "Paris", country: "France", street: "Rue de Rivoli", phonePrefix: "+33 1", postcode: "75004" },
  { city: "Lyon", country: "France", street: "Rue de la République", phonePrefix: "+33 4", postcode: "69002" },
  { city: "København", country: "Denmark", street: "Strøget", phonePrefix: "+45 33", postcode: "1160" },
  { city: "Malmö", country: "Sweden", street: "Södergatan", phonePrefix: "+46 40", postcode: "211 34" },
  { city: "Kraków", country: "Poland", street: "ulica Floriańska", phonePrefix: "+48 12", postcode: "31-019" },
  { city: "Zürich", country: "Switzerland", street: "Bahnhofstrasse", phonePrefix: "+41 44", postcode: "8001" },
  { city: "Lisboa", country: "Portugal", street: "Rua Augusta", phonePrefix: "+351 21", postcode: "1100-053" },
  { city: "Dublin", country: "Ireland", street: "Grafton Street", phonePrefix: "+353 1", postcode: "D02" },
  { city: "London", country: "United Kingdom", street: "Baker Street", phonePrefix: "+44 20", postcode: "NW1 6XE" },
  { city: "New York", country: "United States", street: "Broadway", phonePrefix: "+1 212", postcode: "10007" },
];

export const JOB_TITLES: readonly string[] = [
  "CEO", "CTO", "CFO", "Head of Sales", "VP Marketing", "Procurement Manager", "Operations Director",
  "IT Manager", "Product Owner", "Office Manager", "Directrice Commerciale", "Geschäftsführer", "Jefa de Compras", "Software Engineer",
];

export const CONTACT_SOURCES: readonly string[] = ["website", "referral", "linkedin", "event", "cold_outreach", "partner", "webinar"];

export const LEAD_SOURCES: readonly string[] = ["website", "linkedin", "twitter", "event", "referral", "ads", "webinar"];

export const TAGS: readonly { name: string; color: string }[] = [
  { name: "VIP", color: "#D4AF37" },
  { name: "Partner", color: "#1E88E5" },
  { name: "Churn risk", color: "#E53935" },
  { name: "Newsletter", color: "#8E24AA" },
  { name: "Enterprise", color: "#3949AB" },
  { name: "Referral", color: "#43A047" },
  { name: "Inbound", color: "#00ACC1" },
  { name: "Outbound", color: "#FB8C00" },
  { name: "Décideur", color: "#6D4C41" },
  { name: "Événement 2025", color: "#F06292" },
];

export const DEAL_PRODUCTS: readonly string[] = [
  "Tessera Pro licences", "Annual renewal", "Onboarding package", "Enterprise upgrade", "Data migration",
  "Support plan", "Custom integration", "Pilot project", "Training workshop", "Expansion – new seats",
];

export const LOST_REASONS: readonly string[] = [
  "Price too high", "Chose a competitor", "No budget this year", "Project cancelled", "No decision maker reached", "Timing – revisit next quarter",
];

export const ACTIVITY_TITLES: Record<"note" | "call" | "meeting" | "email" | "task", readonly string[]> = {
  note: ["Notes from discovery", "Internal note", "Pricing feedback", "Competitor mentioned", "Résumé de la réunion"],
  call: ["Intro call", "Follow-up call", "Pricing call", "Check-in call", "Llamada de seguimiento"],
  meeting: ["Product demo", "Kick-off meeting", "Quarterly business review", "On-site visit", "Workshop with stakeholders"],
  email: ["Sent proposal", "Follow-up email", "Sent case study", "Re: contract questions", "Newsletter reply"],
  task: ["Prepare quote", "Send contract", "Update CRM notes", "Schedule demo", "Review legal redlines"],
};

export const ACTIVITY_CATEGORIES: readonly string[] = ["follow-up", "demo", "onboarding", "negotiation", "support", "admin"];

export const TICKET_SUBJECTS: readonly string[] = [
  "Cannot log in", "Invoice shows wrong VAT", "Export to CSV fails", "Feature request: dark mode", "Sync with calendar is slow",
  "Umlauts broken in PDF export (ä, ö, ü)", "Password reset email not received", "API rate limit questions", "Duplicate contacts after import", "Need help with pipeline setup",
];

export const QUOTE_ITEMS: readonly { description: string; minPrice: number; maxPrice: number; fractional: boolean }[] = [
  { description: "Tessera Pro – seat / year", minPrice: 300, maxPrice: 900, fractional: false },
  { description: "Tessera Enterprise – seat / year", minPrice: 900, maxPrice: 2400, fractional: false },
  { description: "Onboarding (days)", minPrice: 800, maxPrice: 1500, fractional: true },
  { description: "Consulting (days)", minPrice: 900, maxPrice: 1800, fractional: true },
  { description: "Premium support – annual", minPrice: 2000, maxPrice: 12000, fractional: false },
  { description: "Data migration", minPrice: 1500, maxPrice: 9000, fractional: false },
  { description: "Formation / Schulung (days)", minPrice: 700, maxPrice: 1400, fractional: true },
];

export const CURRENCIES: readonly (readonly [string, number])[] = [
  ["EUR", 70],
  ["USD", 15],
  ["GBP", 8],
  ["CHF", 4],
  ["SEK", 3],
];

const SPECIAL_FOLDS: Record<string, string> = {
  ø: "o", Ø: "O", ł: "l", Ł: "L", æ: "ae", Æ: "AE", ß: "ss", đ: "d", Đ: "D", œ: "oe", Œ: "OE", ı: "i",
};

/** Folds a display name to lower-case ASCII letters/digits joined by `separator` (for emails, slugs). */
export function asciiSlug(text: string, separator: string): string {
  const key = `${separator}\u0000${text}`;
  const cached = slugCache.get(key);
  if (cached !== undefined) return cached;
  const slug = computeSlug(text, separator);
  // Bounded: inputs are vocabulary combinations; stop caching if a caller passes open-ended text.
  if (slugCache.size < 50_000) slugCache.set(key, slug);
  return slug;
}

const slugCache = new Map<string, string>();

function computeSlug(text: string, separator: string): string {
  const folded = text
    .replace(/[øØłŁæÆßđĐœŒı]/g, (ch) => SPECIAL_FOLDS[ch] ?? ch)
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  return folded
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter((part) => part.length > 0)
    .join(separator);
}
