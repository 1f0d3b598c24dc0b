import type { EventRecord } from "./EventRecord.ts";

/**
 * Rebuilds a record by folding its events in order: Created sets every field, Updated/Deleted/Restored
 * apply their changes, Destroyed ends it. Uses only `changes` after creation, so replay proves the log
 * alone is enough to recover state.
 */
export function replayRecord(events: readonly EventRecord[]): Record<string, unknown> | null {
  let state: Record<string, unknown> | null = null;
  for (const event of events) {
    switch (event.type) {
      case "Created":
        state = { ...(event.data ?? {}) };
        break;
      case "Updated":
      case "Deleted":
      case "Restored":
        if (!state) throw new Error(`event ${event.seq} (${event.type}) has no Created event before it`);
        for (const [field, change] of Object.entries(event.changes)) state[field] = change.to;
        state.version = event.version;
        if (event.data && "updatedAt" in event.data) state.updatedAt = event.data.updatedAt;
        break;
      case "Destroyed":
        state = null;
        break;
    }
  }
  return state;
}
