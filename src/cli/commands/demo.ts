/**
 * @module cli/commands/demo
 * PLACEHOLDER — replaced by the issue that builds `slogate demo`.
 */
import type { CliCommand } from "../io.ts";

export const run: CliCommand = (_args, io) => {
  io.stderr("slogate demo: not built yet\n");
  return Promise.resolve(1);
};
