/**
 * @module http/pages/page-links
 * Signed, expiring links to analysis pages: `<publicUrl>/analyses/<id>?exp=<unix s>&sig=<mac>`
 * where `mac` is HMAC-SHA256 (base64url) under the server's secret of a version tag, the
 * analysis id and the expiry — so a link opens exactly one analysis until it expires, from
 * Slack or an alert, without a token. Verification is constant-time.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const VERSION = "slogate-page-v1";
/** A different tag for sessions, so no analysis link can ever be replayed as a session. */
const SESSION_VERSION = "slogate-session-v1";

/** Name of the login cookie. */
export const SESSION_COOKIE = "slogate_session";

/** Path segment of an analysis id (ids may hold `/` and `:`, kept readable as elsewhere). */
export function analysisPath(id: string): string {
  return `/analyses/${encodeURIComponent(id).replace(/%3A/g, ":").replace(/%2F/g, "/")}`;
}

/** A random 256-bit secret (base64url), for a service started without `pages.secret`. */
export function randomPageSecret(): string {
  return randomBytes(32).toString("base64url");
}

export type LinkCheck = "valid" | "missing" | "expired" | "invalid";

export interface PageLinksOptions {
  readonly secret: string;
  readonly ttlSeconds: number;
  /** Base URL of links (read at each link: the service learns its port after listening). */
  readonly baseUrl: () => string;
  /** Clock in Unix seconds. */
  readonly now: () => number;
}

/** Makes and checks signed analysis links. */
export class PageLinks {
  readonly #key: Buffer;
  readonly #ttl: number;
  readonly #baseUrl: () => string;
  readonly #now: () => number;

  constructor(o: PageLinksOptions) {
    if (o.secret === "") throw new Error("PageLinks needs a non-empty secret");
    this.#key = Buffer.from(o.secret, "utf8");
    this.#ttl = o.ttlSeconds;
    this.#baseUrl = o.baseUrl;
    this.#now = o.now;
  }

  #mac(id: string, exp: number): Buffer {
    return createHmac("sha256", this.#key).update(`${VERSION}\n${id}\n${exp}`, "utf8").digest();
  }

  /** The query string (`exp=…&sig=…`) signing `id` until now + TTL. */
  signature(id: string): string {
    const exp = Math.floor(this.#now() + this.#ttl);
    return `exp=${exp}&sig=${this.#mac(id, exp).toString("base64url")}`;
  }

  /** The absolute signed link of an analysis page. */
  link(id: string): string {
    return `${this.#baseUrl()}${analysisPath(id)}?${this.signature(id)}`;
  }

  /** Path-only signed link (for links between pages). */
  path(id: string): string {
    return `${analysisPath(id)}?${this.signature(id)}`;
  }

  /** The value of a login cookie valid for `ttlSeconds`. */
  session(ttlSeconds: number): string {
    const exp = Math.floor(this.#now() + ttlSeconds);
    return `${exp}.${this.#sessionMac(exp).toString("base64url")}`;
  }

  /** Checks a login cookie's value. */
  checkSession(value: string | undefined): LinkCheck {
    if (value === undefined || value === "") return "missing";
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (m === null) return "invalid";
    const exp = Number(m[1]);
    const given = Buffer.from(m[2] ?? "", "base64url");
    const expected = this.#sessionMac(exp);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid";
    return exp < this.#now() ? "expired" : "valid";
  }

  /** True when links are https (the login cookie is then `Secure`). */
  get https(): boolean {
    return this.#baseUrl().startsWith("https:");
  }

  #sessionMac(exp: number): Buffer {
    return createHmac("sha256", this.#key).update(`${SESSION_VERSION}\n${exp}`, "utf8").digest();
  }

  /** Checks `exp` and `sig` query values for `id`. */
  check(id: string, exp: unknown, sig: unknown): LinkCheck {
    if (exp === undefined && sig === undefined) return "missing";
    if (typeof exp !== "string" || typeof sig !== "string" || !/^\d{1,12}$/.test(exp)) return "invalid";
    if (!/^[A-Za-z0-9_-]{43}$/.test(sig)) return "invalid";
    const expected = this.#mac(id, Number(exp));
    const given = Buffer.from(sig, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid";
    return Number(exp) < this.#now() ? "expired" : "valid";
  }
}
