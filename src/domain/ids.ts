/**
 * @module domain/ids
 * The one grammar of analysis and baseline ids (what controllers send, what slogate derives,
 * what the API's paths carry): 1 to 256 characters from `A-Z a-z 0-9 . _ : = , -`, starting
 * with a letter or digit, never containing `..`. So no `/`, no path traversal, no control
 * characters, no spaces, no percent signs: an id is the same text in a path, a log line, a
 * metric label and a store key. Pure.
 */

/** Longest id. */
export const ID_MAX_LENGTH = 256;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:=,-]*$/;

/** Why `id` is not a valid id, or undefined when it is. */
export function idProblem(id: string): string | undefined {
  if (id.length === 0) return "is empty";
  if (id.length > ID_MAX_LENGTH) return `is longer than ${ID_MAX_LENGTH} characters`;
  if (!ID_PATTERN.test(id))
    return "may only hold letters, digits and . _ : = , - (starting with a letter or digit)";
  if (id.includes("..")) return "must not contain ..";
  return undefined;
}

/** True when `id` follows the id grammar. */
export function isValidId(id: string): boolean {
  return idProblem(id) === undefined;
}
