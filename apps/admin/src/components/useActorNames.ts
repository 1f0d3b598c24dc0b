// Names of the users behind event actors (subs), for the audit panel and the timeline.
import { useQuery } from "@tanstack/react-query";
import { gql } from "../api/client.ts";
import type { ApiDescription } from "../api/meta.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function useActorNames(meta: ApiDescription, subs: (string | null | undefined)[]): Record<string, string> {
  const user = meta.models.find((m) => m.name === "User" && m.can.read);
  const ids = [...new Set(subs.filter((s): s is string => typeof s === "string" && UUID.test(s)))].sort();
  const names = useQuery({
    queryKey: ["actor-names", ids],
    queryFn: () =>
      gql<{ list: Record<string, string>[] }>(`query Actors($ids: [ID!]) { list: ${user!.api.plural}(where: { ${user!.primaryKey}_in: $ids }, first: 100) { ${user!.primaryKey} ${user!.displayField} } }`, { ids }),
    enabled: Boolean(user) && ids.length > 0,
    staleTime: 60_000,
  });
  const out: Record<string, string> = {};
  for (const row of names.data?.list ?? []) out[row[user!.primaryKey]] = row[user!.displayField];
  return out;
}
