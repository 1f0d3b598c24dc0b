// Signing in the way a person does: the dev sign-in page's button for a demo user.
import type { Page } from "playwright-core";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The dev sign-in button of the demo user whose name starts with `name` ("Ana", "Dan O'Brien"). */
export function signInButton(page: Page, name: string) {
  return page.getByRole("button", { name: new RegExp(`^Sign in as ${escapeRegExp(name)}[ (]`) });
}

/**
 * Clicks the user's dev sign-in button and waits for the signed-in shell. The token must stay in the
 * server's HttpOnly cookie: neither page script (document.cookie) nor storage may hold it.
 */
export async function signInAs(page: Page, name: string): Promise<void> {
  await signInButton(page, name).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  // Runs in the page; the test tsconfig has no DOM types, so the page's globals are typed here.
  const exposed = await page.evaluate(() => {
    const web = globalThis as unknown as { document: { cookie: string }; localStorage: Record<string, string>; sessionStorage: Record<string, string> };
    return { cookie: web.document.cookie, storage: JSON.stringify({ ...web.localStorage, ...web.sessionStorage }) };
  });
  if (/eyJ|tessera_session/.test(exposed.cookie) || /eyJ/.test(exposed.storage)) {
    throw new Error(`the session token is readable by page script: ${JSON.stringify(exposed).slice(0, 200)}`);
  }
}
