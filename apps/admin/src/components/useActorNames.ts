// The users behind ids (event actors, owners): one lookup document for the audit panel, the timeline
// and the notification toasts, and one cached list of the tenant's users for the board's owner filter
// and @mention matching.
import { useQuery } from "@tanstack/react-query";
// The subpath, not "@tessera/schema": the package root also holds the Node-only schema loaders.
import { UUID_PATTERN } from "@tessera/schema/uuid";
import { gql } from "../api/client.ts";
import { displaySelection } from "../api/documents.ts";
import { displayText, type ApiDescription, type ModelDescription } from "../api/meta.ts";

export interface UserName {
  id: string;
  name: string;
}

function userModel(meta: ApiDescription): ModelDescription | undefined {
  return meta.models.find((m) => m.name === "User" && m.can.read);
}

/** `{ id: name }` of the users among `ids` the principal may read (at most 100). */
export async function fetchUserNames(meta: ApiDescription, ids: string[]): Promise<Record<string, string>> {
  const user = userModel(meta);
  const wanted = ids.filter((id) => UUID_PATTERN.test(id));
  if (!user || wanted.length === 0) return {};
  const answer = await gql<{ list: Record<string, string>[] }>(
    `query Users($ids: [ID!]) { list: ${user.api.plural}(where: { ${user.primaryKey}_in: $ids }, first: 100) { ${user.primaryKey} ${displaySelection(user)} } }`,
    { ids: wanted },
  );
  return Object.fromEntries(answer.list.map((row) => [row[user.primaryKey], displayText(user, row)]));
}

export function useActorNames(meta: ApiDescription, subs: (string | null | undefined)[]): Record<string, string> {
  const ids = [...new Set(subs.filter((s): s is string => typeof s === "string" && UUID_PATTERN.test(s)))].sort();
  const names = useQuery({
    queryKey: ["actor-names", ids],
    queryFn: () => fetchUserNames(meta, ids),
    enabled: Boolean(userModel(meta)) && ids.length > 0,
    staleTime: 60_000,
  });
  return names.data ?? {};
}

/** The tenant's users by name (first 100), shared by every view that offers or matches users. */
export function useUsers(meta: ApiDescription): UserName[] | undefined {
  const user = userModel(meta);
  const users = useQuery({
    queryKey: ["users"],
    queryFn: async () => {
      const answer = await gql<{ list: Record<string, string>[] }>(
        `{ list: ${user!.api.plural}(orderBy: [${user!.displayField}_ASC], first: 100) { ${user!.primaryKey} ${displaySelection(user!)} } }`,
      );
      return answer.list.map((row) => ({ id: row[user!.primaryKey], name: displayText(user!, row) }));
    },
    enabled: Boolean(user),
    staleTime: 60_000,
  });
  return users.data;
}
