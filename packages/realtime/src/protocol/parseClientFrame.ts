// Validates one incoming text frame by hand (no schema library is installed): JSON, an object, a
// known `op`, exactly the keys that op takes, each of the right type. A key the protocol does not
// have is an error, never ignored.
import type { ClientFrame, ClientOp, JsonValue, PresenceState, Ref } from "./frames.ts";
import { RealtimeError } from "./RealtimeError.ts";

export type ParsedFrame = { frame: ClientFrame } | { error: RealtimeError; ref?: Ref };

type FieldType = "string" | "boolean" | "integer" | "state" | "json";
type FieldSpec = { type: FieldType; required: boolean; max?: number; pattern?: RegExp };

const REF: FieldSpec = { type: "string", required: false, max: 64 };
const CHANNEL: FieldSpec = { type: "string", required: true, max: 200 };
const FIELD: FieldSpec = { type: "string", required: true, max: 100, pattern: /^[A-Za-z0-9_.-]+$/ };

const OPS: { [op in ClientOp]: { [key: string]: FieldSpec } } = {
  auth: { token: { type: "string", required: true, max: 8192 }, tenantId: { type: "string", required: false, max: 64 }, ref: REF },
  join: { channel: CHANNEL, state: { type: "state", required: false }, ref: REF },
  leave: { channel: CHANNEL, ref: REF },
  publish: { channel: CHANNEL, event: { type: "string", required: true, max: 100 }, payload: { type: "json", required: false }, echo: { type: "boolean", required: false }, ref: REF },
  presence: { channel: CHANNEL, state: { type: "state", required: true }, ref: REF },
  lock: { channel: CHANNEL, field: FIELD, ttlMs: { type: "integer", required: false }, ref: REF },
  unlock: { channel: CHANNEL, field: FIELD, ref: REF },
  ping: { ref: REF },
};

function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function check(key: string, spec: FieldSpec, value: unknown): string | null {
  switch (spec.type) {
    case "string":
      if (typeof value !== "string") return `'${key}' must be a string`;
      if (value.length === 0) return `'${key}' must not be empty`;
      if (spec.max !== undefined && value.length > spec.max) return `'${key}' is longer than ${spec.max} characters`;
      if (spec.pattern && !spec.pattern.test(value)) return `'${key}' has characters outside ${spec.pattern.source}`;
      return null;
    case "boolean":
      return typeof value === "boolean" ? null : `'${key}' must be true or false`;
    case "integer":
      return Number.isSafeInteger(value) ? null : `'${key}' must be a whole number`;
    case "state":
      return isPlainObject(value) ? null : `'${key}' must be a JSON object`;
    case "json":
      return null;
  }
}

/** The frame, or the error to answer it with (and the frame's `ref` when it had a usable one). */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: new RealtimeError("BAD_FRAME", "a frame must be one JSON object; this one is not JSON") };
  }
  if (!isPlainObject(value)) return { error: new RealtimeError("BAD_FRAME", "a frame must be a JSON object with an 'op'") };
  const ref = typeof value.ref === "string" && value.ref.length > 0 && value.ref.length <= 64 ? value.ref : undefined;
  const op = value.op;
  if (typeof op !== "string") return { error: new RealtimeError("BAD_FRAME", "a frame needs an 'op' (a string)"), ref };
  if (!Object.hasOwn(OPS, op)) {
    return { error: new RealtimeError("UNKNOWN_OP", `unknown op '${op.slice(0, 40)}' (known: ${Object.keys(OPS).join(", ")})`), ref };
  }
  const specs = OPS[op as ClientOp];
  for (const key of Object.keys(value)) {
    if (key !== "op" && !Object.hasOwn(specs, key)) {
      return { error: new RealtimeError("BAD_FRAME", `'${op}' has no key '${key.slice(0, 40)}' (it takes ${Object.keys(specs).join(", ")})`), ref };
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    const field = value[key];
    if (field === undefined) {
      if (spec.required) return { error: new RealtimeError("BAD_FRAME", `'${op}' needs '${key}'`), ref };
      continue;
    }
    const problem = check(key, spec, field);
    if (problem) return { error: new RealtimeError("BAD_FRAME", `${op}: ${problem}`), ref };
  }
  return { frame: value as unknown as ClientFrame };
}

/** A presence state's size on the wire, which the hub bounds. */
export function stateSize(state: PresenceState): number {
  return JSON.stringify(state).length;
}
