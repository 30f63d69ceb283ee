/**
 * @module cli/commands/backtest
 * PLACEHOLDER — replaced by the issue that builds `slogate backtest`.
 */
import type { CliCommand } from "../io.ts";

export const run: CliCommand = (_args, io) => {
  io.stderr("slogate backtest: not built yet\n");
  return Promise.resolve(1);
};
