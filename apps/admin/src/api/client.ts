// The UI's only door to the server: GraphQL over fetch, signed in by the session cookie (with the
// CSRF header the server asks for beside it) or a pasted bearer token, and a few REST calls
// (/api/meta, CSV import/export). Errors become ApiError with the API's code and field errors;
// UNAUTHENTICATED ends the session.
import { CSRF_HEADERS, expire, getSession } from "../auth/session.ts";

export interface FieldError {
  path: (string | number)[];
  message: string;
  rule: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
  }
}

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; fieldErrors?: FieldError[] };
}

export function authHeaders(): Record<string, string> {
  const token = getSession()?.token;
  return token ? { ...CSRF_HEADERS, authorization: `Bearer ${token}` } : { ...CSRF_HEADERS };
}

export async function gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...authHeaders() },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("NETWORK", "The server cannot be reached.");
  }
  const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: GraphQLErrorShape[] };
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? (response.status === 401 ? "UNAUTHENTICATED" : "INTERNAL");
    if (code === "UNAUTHENTICATED") expire();
    throw new ApiError(code, first.message, first.extensions?.fieldErrors ?? []);
  }
  if (!response.ok || !body.data) throw new ApiError("INTERNAL", `The server answered ${response.status}.`);
  return body.data;
}

/** A JSON REST call; `{ error: { code, message } }` bodies become ApiError. */
export async function rest<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) } });
  } catch {
    throw new ApiError("NETWORK", "The server cannot be reached.");
  }
  const body = (await response.json().catch(() => null)) as (T & { error?: { code: string; message: string; fieldErrors?: FieldError[] } }) | null;
  if (!response.ok || body === null) {
    const error = body?.error;
    const code = error?.code ?? (response.status === 401 ? "UNAUTHENTICATED" : "INTERNAL");
    if (code === "UNAUTHENTICATED") expire();
    throw new ApiError(code, error?.message ?? `The server answered ${response.status}.`, error?.fieldErrors ?? []);
  }
  return body;
}

/** Downloads a file the API streams (CSV export), with the CSRF header a plain link could not carry. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    throw new ApiError(body?.error?.code ?? "INTERNAL", body?.error?.message ?? `The server answered ${response.status}.`);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
