// The signed-in user's mailbox (`user:<id>`): assignments (committed changes the server routes there
// when someone else sets a user key to this user) and @mentions (messages other clients post there)
// become toasts.
import { useEffect } from "react";
import { fetchUserNames } from "../components/useActorNames.ts";
import { displayText, type ApiDescription } from "../api/meta.ts";
import { getSession } from "../auth/session.ts";
import { toast } from "../components/Toasts.tsx";
import { strings } from "../i18n/strings.ts";
import { realtime, share } from "./live.ts";

export function useNotifications(meta: ApiDescription | undefined): void {
  useEffect(() => {
    const session = getSession();
    const rt = realtime();
    if (!session || !rt || !meta) return;
    const channel = `user:${session.user.id}`;
    const release = share(channel);
    const offChange = rt.on("change", (change) => {
      if (change.channel !== channel || !change.record) return;
      const model = meta.models.find((m) => m.name === change.model);
      const title = (model && displayText(model, change.record)) || change.id;
      void nameOf(meta, change.actor).then((by) => toast(strings.realtime.assigned(change.model, title, by), "info", 8000));
    });
    const offMessage = rt.on("message", (message) => {
      if (message.channel !== channel || message.event !== "mention") return;
      const about = message.payload as { title?: string } | null;
      toast(strings.realtime.mentioned(message.from?.name ?? strings.realtime.someone, about?.title ?? ""), "info", 8000);
    });
    return () => {
      offChange();
      offMessage();
      release();
    };
  }, [meta]);
}

/** The name of the User behind an event's actor (events carry ids only). */
async function nameOf(meta: ApiDescription, actor: string | null): Promise<string> {
  if (!actor) return strings.realtime.someone;
  const names = await fetchUserNames(meta, [actor]).catch(() => ({}) as Record<string, string>);
  return names[actor] ?? strings.realtime.someone;
}
