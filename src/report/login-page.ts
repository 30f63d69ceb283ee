/**
 * @module report/login-page
 * The sign-in form of the pages when `auth.tokens` is set: one password field for a bearer
 * token, posted to the service, which answers with a login cookie. Pure.
 */
import { esc } from "./html.ts";
import { page, type PageNav } from "./page-layout.ts";

export interface LoginPageInput {
  /** Where the form posts. */
  readonly action: string;
  /** The page to return to after signing in. */
  readonly next: string;
  /** Why the last attempt failed, if it did. */
  readonly error?: string;
  readonly nav: PageNav;
}

/** The `/login` page. */
export function renderLoginPage(input: LoginPageInput): string {
  return page(
    "Sign in · slogate",
    `<h1>Sign in</h1>
<p>The analysis list and the SLOs need one of the service's tokens (<code>auth.tokens</code>). Signing in sets a cookie for this browser; links slogate emits open their analysis without it.</p>
${input.error === undefined ? "" : `<p class="refusal problem-error" role="alert">${esc(input.error)}</p>`}
<form class="filters" method="post" action="${esc(input.action)}">
<input type="hidden" name="next" value="${esc(input.next)}">
<label for="token">token <input id="token" name="token" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
    input.nav,
  );
}
