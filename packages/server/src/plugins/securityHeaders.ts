// Security headers on every response. The admin UI is a built bundle with no inline script or
// style element (Vite emits `<script type="module" src>` and `<link rel="stylesheet">`), so the
// Content-Security-Policy allows only this origin's files: an injected `<script>` or `onclick=` does
// not run, and a script that does run can only talk to this origin. Framing is refused twice:
// `frame-ancestors` for browsers with CSP 2, X-Frame-Options for older ones.
import type { FastifyInstance } from "fastify";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // The favicon is a data: URL in index.html.
  "img-src 'self' data:",
  "font-src 'self'",
  // 'self' covers ws:/wss: to this host (CSP 3), which /realtime/ws needs.
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * GraphiQL (development only) is mercurius' page with inline scripts and a CDN; it keeps every
 * header but the script policy, and still may not be framed.
 */
const GRAPHIQL_POLICY = "frame-ancestors 'none'";

/** Two years; subdomains are those of this host (crm.example.com → *.crm.example.com), not its siblings. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/** On the root instance (not a plugin scope), so 404s, errors and static files get the headers too. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    const path = request.url.split("?")[0];
    reply.header("content-security-policy", path === "/graphiql" || path.startsWith("/graphiql/") ? GRAPHIQL_POLICY : CONTENT_SECURITY_POLICY);
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    // Paths can name records (/m/Contact/<id>); no other site needs to learn them.
    reply.header("referrer-policy", "no-referrer");
    // request.protocol is https over TLS, or behind a proxy fastify trusts (trustProxy) that says so.
    // Over plain HTTP the header is meaningless, and browsers ignore it there anyway.
    if (request.protocol === "https") reply.header("strict-transport-security", STRICT_TRANSPORT_SECURITY);
    return payload;
  });
}
