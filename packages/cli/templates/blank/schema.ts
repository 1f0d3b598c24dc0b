// A blank Tessera app: one model to start from. Users, teams and memberships are the platform's
// (every app has them: `tessera user add`, `tessera member add`, or created on first sign-in), so a
// model only points at a User by id. Edit this file, then run `tessera migrate` to get a migration.
import { belongsTo, defineSchema, f, model } from "@tessera/schema";

export const schema = defineSchema({
  config: { permissionPrefix: "app" },
  models: {
    Note: model({
      fields: {
        title: f.string().required().max(200),
        body: f.text(),
        // The user who creates a note owns it unless the input names someone else.
        ownerId: f.id().required().default("$principal.sub"),
      },
      relationships: { owner: belongsTo("User", { foreignKey: "ownerId" }) },
      searchable: ["title", "body"],
      // Roles are the Membership.role values of each tenant; "member" and "admin" are this app's.
      access: { read: "authenticated", create: "member|admin", update: "member|admin", delete: "member|admin" },
      // Members change only their own notes; admins change any.
      rowRules: {
        update: [{ roles: "member", where: { ownerId: "$principal.sub" } }],
        delete: [{ roles: "member", where: { ownerId: "$principal.sub" } }],
      },
      ui: { displayField: "title", listView: ["title", "ownerId"] },
    }),
  },
});
