// The values PostgreSQL accepts and JavaScript round-trips, checked before any SQL is built: writes
// (validateInput) and filters (coerceValue) share these, so a value is refused the same way on
// every path with a path and a message, and never reaches the database to fail there as INTERNAL.
//
// Dates and date-times: years 0001–9999. PostgreSQL accepts 4713 BC to 294276 AD but has no year
// 0000 and prints BC years with a suffix; JavaScript's Date prints years past 9999 as +010000. In
// 0001–9999 both print the same four-digit ISO form, so what is written is what is read back.
// Offsets: PostgreSQL refuses displacements beyond ±15:59 (22009), JavaScript accepts up to ±23:59.

export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;
/** PostgreSQL's largest time zone displacement in minutes (TZDISP limit, ±15:59). */
export const MAX_OFFSET_MINUTES = 15 * 60 + 59;
/** Numeric parameters: PostgreSQL refuses exponents beyond ±1000 (NUMERIC_MAX_PRECISION). */
const MAX_NUMERIC_EXPONENT = 1000;
/** Largest magnitude (digits before the point) of a decimal or money value: numeric(19,4) holds 15. */
export const MAX_DECIMAL_INTEGER_DIGITS = 15;

export const DATETIME_EXAMPLE = "2026-01-31T09:00:00Z";
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 (a space for the T, as PostgreSQL prints it, and ±HH or ±HHMM offsets as ISO 8601 allows).
const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const DECIMAL_TEXT = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// With the u flag a paired surrogate is one code point, so only unpaired halves match.
const LONE_SURROGATE = /\p{Surrogate}/u;
// In JSON.stringify's output a NUL or an unpaired surrogate is an escape preceded by an even run of backslashes.
const JSON_BAD_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

const RANGE = `years ${String(MIN_YEAR).padStart(4, "0")} to ${MAX_YEAR}`;
export const NUL_MESSAGE = "must not contain NUL characters (\\u0000): PostgreSQL text cannot store them; remove them";
const SURROGATE_MESSAGE = "must be valid Unicode: it contains an unpaired surrogate (half of a UTF-16 pair); send the whole character";

type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

function daysIn(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Milliseconds since the epoch of a UTC wall time; setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999. */
function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

const MIN_INSTANT = utcMillis(MIN_YEAR, 1, 1);
const END_INSTANT = utcMillis(MAX_YEAR + 1, 1, 1);

/** A calendar date as YYYY-MM-DD, or a JavaScript Date (its UTC day). */
export function checkDate(value: unknown): Checked<string> {
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    if (Number.isNaN(value.getTime())) return { ok: false, message: "must be a valid date" };
    if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, message: `must be a date in ${RANGE}` };
    return { ok: true, value: value.toISOString().slice(0, 10) };
  }
  const match = typeof value === "string" ? DATE_TEXT.exec(value) : null;
  if (!match) return { ok: false, message: `must be a date as YYYY-MM-DD (${RANGE})` };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < MIN_YEAR) return { ok: false, message: `must be a date in ${RANGE}; there is no year 0000` };
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return { ok: false, message: `is not a real calendar date: ${value as string}` };
  return { ok: true, value: value as string };
}

/**
 * An instant as RFC 3339 text with a zone (Z or an offset), or a JavaScript Date. `value` is the
 * text to bind (unchanged, so microseconds survive); `epochMs` the instant, for callers that normalise.
 */
export function checkDateTime(value: unknown): Checked<{ text: string; epochMs: number }> {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return { ok: false, message: "must be a valid date-time" };
    if (ms < MIN_INSTANT || ms >= END_INSTANT) return { ok: false, message: `must be a date-time in ${RANGE} (UTC)` };
    return { ok: true, value: { text: value.toISOString(), epochMs: ms } };
  }
  const match = typeof value === "string" ? DATETIME_TEXT.exec(value) : null;
  if (!match) return { ok: false, message: `must be an ISO 8601 date-time with a time zone, e.g. ${DATETIME_EXAMPLE}` };
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s ?? "0"].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, message: `is not a real date and time: ${value as string}` };
  }
  let offset = 0;
  if (!zulu) {
    const hours = Number(oh);
    const minutes = Number(om ?? "0");
    if (minutes > 59 || hours * 60 + minutes > MAX_OFFSET_MINUTES) {
      return { ok: false, message: `has the time zone offset ${sign}${oh}:${om ?? "00"}; offsets must be between -15:59 and +15:59` };
    }
    offset = (sign === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  const ms = Number(((fraction ?? "") + "000").slice(0, 3));
  const epochMs = utcMillis(year, month, day, hour, minute, second, ms) - offset * 60_000;
  if (year < MIN_YEAR || epochMs < MIN_INSTANT || epochMs >= END_INSTANT) {
    return { ok: false, message: `must be a date-time in ${RANGE} (UTC), not ${value as string}` };
  }
  return { ok: true, value: { text: value as string, epochMs } };
}

/** Why PostgreSQL text cannot hold `value` as given, or undefined. */
export function textProblem(value: string): string | undefined {
  if (value.includes("\u0000")) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(value)) return SURROGATE_MESSAGE;
  return undefined;
}

/**
 * Why jsonb cannot hold `value` (NUL or unpaired surrogates in a string or key, non-finite numbers,
 * which JSON.stringify would silently turn into null), with the path inside the value; or undefined.
 */
export function jsonProblem(value: unknown): { path: (string | number)[]; message: string } | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return { path: [], message: "must be JSON (no cycles, no BigInt)" };
  }
  if (text === undefined) return { path: [], message: "must be JSON" };
  // The walk below only runs when needed: the text test is cheap and catches strings and keys.
  if (!JSON_BAD_ESCAPE.test(text) && !text.includes("null")) return undefined;
  return findJsonProblem(value, []);
}

function findJsonProblem(value: unknown, path: (string | number)[]): { path: (string | number)[]; message: string } | undefined {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? { path, message: problem } : undefined;
  }
  if (typeof value === "number") return Number.isFinite(value) ? undefined : { path, message: "must be a finite number (JSON has no NaN or Infinity)" };
  if (value === null || typeof value !== "object" || value instanceof Date) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findJsonProblem(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem) return { path: [...path, key], message: `key ${keyProblem}` };
    const found = findJsonProblem(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Whether a decimal text fits: at most 15 digits before the point once any exponent is applied
 * (what numeric(19,4) holds and writes accept), and an exponent PostgreSQL parses.
 */
export function decimalInRange(text: string): boolean {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return false;
  const [, whole, fraction = "", exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_NUMERIC_EXPONENT) return false;
  const digits = whole + fraction;
  const first = digits.search(/[1-9]/);
  if (first < 0) return true;
  return whole.length + exponent - first <= MAX_DECIMAL_INTEGER_DIGITS;
}
