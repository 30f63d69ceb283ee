import { describe, expect, it } from "vitest";
import type { CliIo } from "./io.ts";
import { commandWithFlags, parseFlags, usageError } from "./parse-flags.ts";

const HELP = "usage: slogate thing [--name N] [--loud]\n";
const SPEC = {
  command: "thing",
  help: HELP,
  options: { name: { type: "string", default: "x" }, loud: { type: "boolean", default: false } },
} as const;

function recordingIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: {},
    cwd: "/",
    stopped: new Promise(() => {}),
  };
}

describe("parseFlags", () => {
  it.each([
    ["--help prints the usage on stdout and exits 0", ["--help"], 0, HELP, ""],
    ["-h does the same", ["-h"], 0, HELP, ""],
    [
      "an unknown flag is a usage error with the usage on stderr",
      ["--nope"],
      2,
      "",
      "slogate thing: Unknown option '--nope'",
    ],
    [
      "a positional argument is a usage error unless allowed",
      ["extra"],
      2,
      "",
      "slogate thing: Unexpected argument 'extra'",
    ],
    ["a string flag without its value is a usage error", ["--name"], 2, "", "slogate thing: Option '--name"],
  ])("%s", (_label, args, code, out, errStart) => {
    const io = recordingIo();
    expect(parseFlags(args, io, SPEC)).toBe(code);
    expect(io.out.join("")).toBe(out);
    const err = io.err.join("");
    if (errStart === "") expect(err).toBe("");
    else {
      expect(err.startsWith(errStart)).toBe(true);
      expect(err.endsWith(`\n\n${HELP}`)).toBe(true);
    }
  });

  it("returns the values, defaults included, and the positionals when allowed", () => {
    const io = recordingIo();
    const parsed = parseFlags(["--loud", "a", "b"], io, { ...SPEC, positionals: true });
    expect(parsed).not.toBeTypeOf("number");
    if (typeof parsed === "number") return;
    expect(parsed.values).toMatchObject({ name: "x", loud: true, help: false });
    expect(parsed.positionals).toEqual(["a", "b"]);
    expect(io.out).toEqual([]);
    expect(io.err).toEqual([]);
  });
});

describe("usageError", () => {
  it("prints the command, the message and the usage on stderr and returns 2", () => {
    const io = recordingIo();
    expect(usageError(io, SPEC, "--name is required")).toBe(2);
    expect(io.err.join("")).toBe(`slogate thing: --name is required\n\n${HELP}`);
  });
});

describe("commandWithFlags", () => {
  it.each([
    ["runs the body with the parsed flags", ["--name", "y"], 7, "y"],
    ["answers --help without running the body", ["--help"], 0, undefined],
    ["answers a usage error without running the body", ["--nope"], 2, undefined],
  ])("%s", async (_label, args, code, seen) => {
    let ran: string | undefined;
    const command = commandWithFlags(SPEC, (parsed) => {
      ran = parsed.values.name;
      return Promise.resolve(7);
    });
    expect(await command(args, recordingIo())).toBe(code);
    expect(ran).toBe(seen);
  });
});

describe("relative times as flag values", () => {
  it("takes --start -15m as the value -15m, as the help shows", () => {
    const io = {
      stdout: () => undefined,
      stderr: () => undefined,
      env: {},
      cwd: "/",
      stopped: Promise.resolve(),
    };
    const parsed = parseFlags(["--start", "-15m", "--time", "-1h30m"], io, {
      command: "t",
      help: "",
      options: { start: { type: "string" }, time: { type: "string" } },
    });
    expect(typeof parsed === "number" ? parsed : parsed.values).toEqual({
      start: "-15m",
      time: "-1h30m",
      help: false,
    });
  });
});
