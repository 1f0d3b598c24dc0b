// Who is signed in. The browser's credential is the server's HttpOnly session cookie, which page
// script cannot read: a reload asks GET /auth/session who the cookie belongs to. Only a token pasted
// by hand is held here, in memory (never in localStorage), and sent as a bearer. The session ends
// when it expires (a timer), when the API answers UNAUTHENTICATED, or on sign-out (which clears the
// cookie on the server). Components read it with useSession().
import { useSyncExternalStore } from "react";

/** The header the server requires beside the session cookie (CSRF): other origins cannot send it. */
export const CSRF_HEADERS: Readonly<Record<string, string>> = { "x-tessera-csrf": "1" };

export interface Session {
  /** Only for a pasted token; absent when the session cookie signs requests in. */
  token?: string;
  /** Epoch ms; null when the token carries no expiry (API keys). */
  expiresAt: number | null;
  user: { id: string; name: string; email?: string; roles: string[] };
  tenantId: string | null;
}

let current: Session | null = null;
let notice: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();
// Sessions of earlier versions kept the token here; it must not outlive the upgrade.
try {
  localStorage.removeItem("tessera.session");
} catch {
  // Storage may be disabled; there is nothing to remove then.
}

/** The session the cookie carries, if any (after a reload, or landing from the identity provider). */
export async function restoreSession(): Promise<void> {
  try {
    const response = await fetch("/auth/session", { headers: CSRF_HEADERS });
    if (!response.ok || current) return;
    const body = (await response.json()) as { user: Session["user"]; tenantId: string | null; expiresAt: string | null };
    signIn({ user: body.user, tenantId: body.tenantId, expiresAt: body.expiresAt ? Date.parse(body.expiresAt) : null });
  } catch {
    // Offline or the server is down: the sign-in page shows, and says so when it loads its config.
  }
}

function emit(): void {
  for (const listener of listeners) listener();
}

function schedule(): void {
  clearTimeout(timer);
  if (current?.expiresAt) timer = setTimeout(() => expire(), Math.max(0, current.expiresAt - Date.now()));
}

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
  schedule();
  emit();
}

export function signOut(message: string | null = null): void {
  const hadCookie = current !== null && current.token === undefined;
  current = null;
  notice = message;
  clearTimeout(timer);
  if (hadCookie) void fetch("/auth/signout", { method: "POST", headers: CSRF_HEADERS }).catch(() => undefined);
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
