/**
 * @module cli/commands/generate
 * PLACEHOLDER — replaced by the issue that builds `slogate generate`.
 */
import type { CliCommand } from "../io.ts";

export const run: CliCommand = (_args, io) => {
  io.stderr("slogate generate: not built yet\n");
  return Promise.resolve(1);
};
