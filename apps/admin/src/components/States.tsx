// Designed empty and error states, so no screen is ever a blank page.
import { ApiError } from "../api/client.ts";
import { strings } from "../i18n/strings.ts";

export function ErrorState({ error, message, onRetry }: { error?: unknown; message?: string; onRetry?: () => void }) {
  const text = message ?? (error instanceof ApiError ? (error.code === "FORBIDDEN" ? strings.errors.forbidden : error.message) : strings.errors.generic);
  return (
    <div className="state state-error" role="alert">
      <p>{text}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {strings.errors.retry}
        </button>
      )}
    </div>
  );
}

export function EmptyState({ text, children }: { text: string; children?: React.ReactNode }) {
  return (
    <div className="state state-empty">
      <p>{text}</p>
      {children}
    </div>
  );
}
