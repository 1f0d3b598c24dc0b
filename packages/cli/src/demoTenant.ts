import { Engine } from "@tessera/engine";

/** The tenant `npm start` seeds and signs demo users into. */
export const DEMO_TENANT = { id: "00000000-0000-4000-8000-000000000001", name: "Demo", slug: "demo" } as const;

export async function ensureTenant(engine: Engine, tenant: { id: string; name: string; slug?: string }): Promise<boolean> {
  return engine.tenants.ensure(tenant);
}
