// The signed-in user's token, kept in localStorage so a reload stays signed in, and dropped when it
// expires (a timer) or when the API answers UNAUTHENTICATED. Components read it with useSession().
import { useSyncExternalStore } from "react";

export interface Session {
  token: string;
  /** Epoch ms; null when the token carries no expiry (API keys). */
  expiresAt: number | null;
  user: { id: string; name: string; email?: string; roles: string[] };
  tenantId: string | null;
}

const KEY = "tessera.session";
let current: Session | null = load();
let notice: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    const session = raw ? (JSON.parse(raw) as Session) : null;
    return session && (session.expiresAt === null || session.expiresAt > Date.now()) ? session : null;
  } catch {
    return null;
  }
}

function emit(): void {
  for (const listener of listeners) listener();
}

function schedule(): void {
  clearTimeout(timer);
  if (current?.expiresAt) timer = setTimeout(() => expire(), Math.max(0, current.expiresAt - Date.now()));
}
schedule();

/** The JWT's `exp` (epoch ms), read without verifying: the server verifies every request. */
export function tokenExpiry(token: string): number | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: number };
    return typeof payload.exp === "number" ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

export function tokenClaims(token: string): { sub?: string; roles?: string[]; name?: string; email?: string } {
  const part = token.split(".")[1];
  if (!part) return {};
  try {
    return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: string; roles?: string[] };
  } catch {
    return {};
  }
}

export function signIn(session: Session): void {
  current = session;
  notice = null;
  localStorage.setItem(KEY, JSON.stringify(session));
  schedule();
  emit();
}

export function signOut(message: string | null = null): void {
  current = null;
  notice = message;
  localStorage.removeItem(KEY);
  clearTimeout(timer);
  emit();
}

/** The token is no longer accepted: back to the sign-in page with a notice. */
export function expire(): void {
  if (current) signOut("expired");
}

export function getSession(): Session | null {
  return current;
}

export function getNotice(): string | null {
  return notice;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, () => current);
}
