/**
 * @module cli/commands/analyze
 * PLACEHOLDER — replaced by the issue that builds `slogate analyze`.
 */
import type { CliCommand } from "../io.ts";

export const run: CliCommand = (_args, io) => {
  io.stderr("slogate analyze: not built yet\n");
  return Promise.resolve(1);
};
