import { StrictMode, useMemo } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App.tsx";
import { ApiError } from "./api/client.ts";
import { restoreSession, useSession } from "./auth/session.ts";
import "./styles.css";

function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Permission and validation answers do not change on retry.
        retry: (count, error) => !(error instanceof ApiError && ["FORBIDDEN", "NOT_FOUND", "VALIDATION_FAILED", "UNAUTHENTICATED"].includes(error.code)) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

/** One query cache per session: another user's cached answers can never show. */
function Root() {
  const session = useSession();
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `session` is the key on purpose: a new cache per session
  const client = useMemo(() => newQueryClient(), [session]);
  return (
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  );
}

void restoreSession();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
