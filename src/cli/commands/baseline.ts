/**
 * @module cli/commands/baseline
 * PLACEHOLDER — replaced by the issue that builds `slogate baseline`.
 */
import type { CliCommand } from "../io.ts";

export const run: CliCommand = (_args, io) => {
  io.stderr("slogate baseline: not built yet\n");
  return Promise.resolve(1);
};
