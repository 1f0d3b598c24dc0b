// Channel names: `record:<Model>:<id>`, `board:<Model>`, `user:<id>`. Anything else is BAD_CHANNEL.
// The hub knows these three kinds only so it can ask the authoriser the right question; what a
// model is, is the engine's business. Shared with the browser client (no Node imports).
import { RealtimeError } from "./RealtimeError.ts";

export type ChannelRef =
  | { kind: "record"; name: string; model: string; id: string }
  | { kind: "board"; name: string; model: string }
  | { kind: "user"; name: string; userId: string };

export type ChannelKind = ChannelRef["kind"];

export const MAX_CHANNEL_LENGTH = 200;

const MODEL = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const ID = /^[A-Za-z0-9_.@-]{1,128}$/;

function bad(name: string, why: string): RealtimeError {
  return new RealtimeError("BAD_CHANNEL", `channel '${name.slice(0, 80)}': ${why}`, { channel: name.slice(0, MAX_CHANNEL_LENGTH) });
}

export function parseChannel(name: string): ChannelRef {
  if (name.length === 0 || name.length > MAX_CHANNEL_LENGTH) throw bad(name, `a channel name has 1 to ${MAX_CHANNEL_LENGTH} characters`);
  const parts = name.split(":");
  const [kind] = parts;
  if (kind === "record") {
    if (parts.length !== 3) throw bad(name, "expected record:<Model>:<id>");
    const [, model, id] = parts;
    if (!MODEL.test(model)) throw bad(name, `'${model}' is not a model name`);
    if (!ID.test(id)) throw bad(name, `'${id}' is not a record id`);
    return { kind, name, model, id };
  }
  if (kind === "board") {
    if (parts.length !== 2) throw bad(name, "expected board:<Model>");
    const [, model] = parts;
    if (!MODEL.test(model)) throw bad(name, `'${model}' is not a model name`);
    return { kind, name, model };
  }
  if (kind === "user") {
    if (parts.length !== 2) throw bad(name, "expected user:<id>");
    const [, userId] = parts;
    if (!ID.test(userId)) throw bad(name, `'${userId}' is not a user id`);
    return { kind, name, userId };
  }
  throw bad(name, "unknown channel kind (use record:<Model>:<id>, board:<Model> or user:<id>)");
}

export const recordChannel = (model: string, id: string): string => `record:${model}:${id}`;
export const boardChannel = (model: string): string => `board:${model}`;
export const userChannel = (userId: string): string => `user:${userId}`;
