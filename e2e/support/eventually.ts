// Waiting for a condition instead of a clock: polls until the value matches or the guard expires.
import { expect } from "vitest";

/** A guard against hangs, not a speed requirement. */
export const EVENTUALLY_TIMEOUT_MS = 30_000;

export function eventually<T>(read: () => T | Promise<T>, message?: string) {
  return expect.poll(read, { timeout: EVENTUALLY_TIMEOUT_MS, interval: 100, ...(message ? { message } : {}) });
}
