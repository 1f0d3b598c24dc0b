// Whether a user belongs to a tenant, and with which roles and teams. Pluggable: the app supplies
// the check; `engineMembershipCheck` reads Membership rows through the engine's system API.
import { systemContext, type Engine } from "@tessera/engine";

export interface MembershipInfo {
  roles: string[];
  teams: string[];
}

export type MembershipCheck = (sub: string, tenantId: string) => Promise<MembershipInfo | null>;

export interface EngineMembershipOptions {
  /** Default `Membership`, with fields `userId`, `role`, `teamId`. */
  model?: string;
  userField?: string;
  roleField?: string;
  teamField?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Membership rows with `userId = sub` in the tenant; null when there are none (or ids are not uuids). */
export function engineMembershipCheck(engine: Engine, options: EngineMembershipOptions = {}): MembershipCheck {
  const model = options.model ?? "Membership";
  const userField = options.userField ?? "userId";
  const roleField = options.roleField ?? "role";
  const teamField = options.teamField ?? "teamId";
  return async (sub, tenantId) => {
    if (!UUID.test(sub) || !UUID.test(tenantId)) return null;
    const page = await engine.model(model).findMany({ where: { [userField]: sub }, fields: [roleField, teamField] }, systemContext(tenantId));
    if (page.nodes.length === 0) return null;
    const roles = new Set<string>();
    const teams = new Set<string>();
    for (const row of page.nodes) {
      const role = row[roleField];
      const team = row[teamField];
      if (typeof role === "string") roles.add(role);
      if (typeof team === "string") teams.add(team);
    }
    return { roles: [...roles], teams: [...teams] };
  };
}
