/**
 * @module cli/commands/validate
 * PLACEHOLDER — replaced by the issue that builds `slogate validate`.
 */
import type { CliCommand } from "../io.ts";

export const run: CliCommand = (_args, io) => {
  io.stderr("slogate validate: not built yet\n");
  return Promise.resolve(1);
};
