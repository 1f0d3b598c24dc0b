// Sign-in: the dev user list on the embedded default, the identity provider (code + PKCE) when one is
// configured, or a pasted token otherwise. The dev sign-in and the OIDC callback leave the token in the
// server's HttpOnly session cookie; this page never sees it.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ApiError, rest } from "../api/client.ts";
import { CSRF_HEADERS, getNotice, signIn, tokenClaims, tokenExpiry } from "../auth/session.ts";
import { strings } from "../i18n/strings.ts";

interface AuthConfig {
  signIn: "dev" | "oidc" | "token";
  tenantId?: string;
}
interface DevUser {
  id: string;
  name: string;
  email: string;
  roles: string[];
}

export function SignIn() {
  const [error, setError] = useState<string | null>(null);
  const [pasted, setPasted] = useState("");
  const config = useQuery({ queryKey: ["auth-config"], queryFn: () => rest<AuthConfig>("/auth/config") });
  const users = useQuery({
    queryKey: ["dev-users"],
    queryFn: () => rest<{ tenantId: string; users: DevUser[] }>("/auth/dev/users"),
    enabled: config.data?.signIn === "dev",
  });
  const notice = getNotice();

  const devSignIn = async (user: DevUser) => {
    setError(null);
    try {
      const answer = await rest<{ expiresAt: string; tenantId: string; roles: string[] }>("/auth/dev/session", {
        method: "POST",
        headers: { "content-type": "application/json", ...CSRF_HEADERS },
        body: JSON.stringify({ userId: user.id }),
      });
      signIn({ expiresAt: Date.parse(answer.expiresAt), user: { id: user.id, name: user.name, email: user.email, roles: answer.roles }, tenantId: answer.tenantId });
    } catch (e) {
      setError(strings.signIn.failed(e instanceof ApiError ? e.message : String(e)));
    }
  };

  const tokenSignIn = (event: React.FormEvent) => {
    event.preventDefault();
    const token = pasted.trim();
    const claims = tokenClaims(token);
    signIn({ token, expiresAt: tokenExpiry(token), user: { id: claims.sub ?? "api-key", name: claims.name ?? claims.sub ?? "API key", roles: claims.roles ?? [] }, tenantId: null });
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <h1>{strings.signIn.title}</h1>
        {notice === "expired" && <p className="notice" role="alert">{strings.signIn.expired}</p>}
        {error && <p className="error-text" role="alert">{error}</p>}
        {config.isLoading && <p>{strings.errors.loading}</p>}
        {config.data?.signIn === "dev" && (
          <>
            <p className="muted">{strings.signIn.devIntro}</p>
            <ul className="user-list">
              {(users.data?.users ?? []).map((user) => (
                <li key={user.id}>
                  <button type="button" className="user-choice" onClick={() => void devSignIn(user)} aria-label={strings.signIn.as(user.name, user.roles.join(", "))}>
                    <span className="avatar" aria-hidden="true">{user.name.charAt(0)}</span>
                    <span className="user-name">{user.name}</span>
                    <span className="user-email">{user.email}</span>
                    {user.roles.map((r) => (
                      <span key={r} className={`badge role-${r}`}>{r}</span>
                    ))}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        {config.data?.signIn === "oidc" && (
          <a className="button primary" href={`/auth/login?returnTo=${encodeURIComponent(location.pathname)}`}>
            {strings.signIn.oidcButton}
          </a>
        )}
        {config.data?.signIn === "token" && (
          <form onSubmit={tokenSignIn}>
            <p className="muted">{strings.signIn.tokenIntro}</p>
            <label htmlFor="token">{strings.signIn.tokenLabel}</label>
            <textarea id="token" value={pasted} onChange={(e) => setPasted(e.target.value)} rows={4} />
            <button type="submit" className="primary" disabled={pasted.trim() === ""}>
              {strings.signIn.tokenButton}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
