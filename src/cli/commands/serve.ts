/**
 * @module cli/commands/serve
 * PLACEHOLDER — replaced by the issue that builds `slogate serve`.
 */
import type { CliCommand } from "../io.ts";

export const run: CliCommand = (_args, io) => {
  io.stderr("slogate serve: not built yet\n");
  return Promise.resolve(1);
};
