// "A model added to schema.ts gets its screens with no UI code": a copy of the CRM app gets a
// Project model in schema.ts, `tessera migrate` writes and applies its migration, and the same
// admin UI build then offers a working list, form (enum select, contact picker) and detail page.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { browserSuite } from "./support/browserSuite.ts";
import { CRM_APP_DIR } from "./support/crmServer.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

// Inside the repo so the copied schema.ts resolves @tessera/schema from node_modules; git-ignored.
const copyRoot = join(process.cwd(), ".tessera", "e2e-apps", randomBytes(4).toString("hex"));
const appDir = join(copyRoot, "crm");
const ADMIN_SRC = join(process.cwd(), "apps", "admin", "src");

const PROJECT_ENUM = `export const ProjectStatus = defineEnum("ProjectStatus", ["planned", "active", "done"]);\n`;
// No ui block: the screens must come from the fields alone.
const PROJECT_MODEL = `
    Project: model({
      fields: {
        name: f.string().required().max(200),
        status: f.enum(ProjectStatus).required().default("planned"),
        budget: f.money().min(0),
        contactId: f.id(),
      },
      searchable: ["name"],
      access: standardAccess,
      relationships: { contact: belongsTo("Contact", { foreignKey: "contactId", onDelete: "set null" }) },
    }),`;

function copyCrmWithProject(): string {
  mkdirSync(copyRoot, { recursive: true });
  cpSync(CRM_APP_DIR, appDir, { recursive: true, filter: (source) => !source.startsWith(join(CRM_APP_DIR, "test")) });
  const schemaFile = join(appDir, "schema.ts");
  const source = readFileSync(schemaFile, "utf8");
  const edited = source.replace(/^const SALES_WRITE/m, `${PROJECT_ENUM}\nconst SALES_WRITE`).replace(/^  models: \{$/m, `  models: {${PROJECT_MODEL}`);
  if (!edited.includes("Project: model(") || !edited.includes(PROJECT_ENUM)) throw new Error("apps/crm/schema.ts changed shape: the Project model could not be inserted");
  writeFileSync(schemaFile, edited);
  return appDir;
}

const suite = browserSuite(async () => ({ appDir: copyCrmWithProject(), generateMigration: true }));

afterAll(() => rmSync(copyRoot, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("a model added to a copy of the CRM schema", () => {
  it("has no line of UI code of its own", () => {
    const mentions = filesUnder(ADMIN_SRC).filter((file) => /\bProjects?\b/.test(readFileSync(file, "utf8")));
    expect(mentions).toEqual([]);
    // …and it reached the database through a generated migration file.
    const generated = readdirSync(join(appDir, "migrations")).filter((f) => !readdirSync(join(CRM_APP_DIR, "migrations")).includes(f));
    expect(generated).toHaveLength(1);
    expect(readFileSync(join(appDir, "migrations", generated[0]), "utf8")).toMatch(/CREATE TABLE[^;]*projects/i);
  });

  it("gets a navigation entry, a list, a create form with an enum select and a contact picker, and a detail page", async () => {
    const name = `Warehouse rollout ${randomBytes(3).toString("hex")}`;
    const page = await suite.page();
    await signInAs(page, "Ana");
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Projects" }).click();
    await page.getByRole("heading", { level: 1, name: "Projects" }).waitFor();
    await page.getByText("No projects here yet.").waitFor();

    await page.getByRole("link", { name: "New", exact: true }).first().click();
    await page.getByRole("heading", { level: 1, name: "New Project" }).waitFor();
    await page.getByLabel("Name").fill(name);
    const status = page.getByLabel("Status");
    expect(await status.locator("option").allInnerTexts()).toEqual(["Planned", "Active", "Done"]);
    expect(await status.inputValue()).toBe("planned");
    await status.selectOption("active");
    await page.getByLabel("Budget").fill("4200.50");
    const contact = page.getByRole("combobox", { name: "Contact" });
    await contact.fill("garcía");
    await page.getByRole("option", { name: "José García" }).click();
    await page.getByText("José García").waitFor();
    await page.getByRole("button", { name: "Save" }).click();

    await page.getByRole("heading", { level: 1, name }).waitFor();
    const details = page.getByRole("region", { name: "Details" });
    await details.getByRole("link", { name: "José García" }).waitFor();
    expect(await details.innerText()).toMatch(/Status\s*Active/i);

    const saved = await suite.crm.query<{ projects: { id: string; name: string; status: string; budget: string; contact: { firstName: string; lastName: string } | null }[] }>(
      "Ana",
      `query P($name: String!) { projects(where: { name: $name }) { id name status budget contact { firstName lastName } } }`,
      { name },
    );
    expect(saved.projects).toEqual([{ id: expect.any(String), name, status: "active", budget: expect.stringMatching(/^4200\.50*$/), contact: { firstName: "José", lastName: "García" } }]);
    expect(page.url()).toBe(`${suite.crm.url}/m/Project/${saved.projects[0].id}`);

    await page.getByRole("link", { name: "Projects" }).first().click();
    const row = page.getByRole("row").filter({ hasText: name });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Active[\s\S]*José García|José García[\s\S]*Active/);
    await eventually(async () => page.getByTestId("list-count").innerText()).toBe("1 record");
  });
});
