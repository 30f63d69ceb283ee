/**
 * @module prometheus/backend-credentials
 * Credentials and TLS material of one metrics backend, read from files and re-read when a file
 * changes: a bearer token (a Kubernetes service-account token the kubelet rotates by swapping a
 * symlink), a basic-auth password file (a mounted Secret), and the CA bundle and client
 * certificate/key of an https backend (cert-manager renewals). Each request asks for the current
 * `Authorization` value and https agent; a file is `stat`ed per request and read only when its
 * inode, size or modification time changed, so a rotation is used from the next request on.
 *
 * Every file must be readable when the client is built (CONFIG_INVALID naming the setting and
 * the path, never the contents). A file that becomes unreadable later (the instant of a symlink
 * swap, a Secret being re-mounted) keeps its last good contents. Secrets are never part of a
 * message, a log field or an error.
 */
import { readFileSync, statSync } from "node:fs";
import { Agent } from "node:https";
import { createSecureContext } from "node:tls";
import { SlogateError } from "../errors.ts";

/** Backend TLS settings (paths). */
export interface BackendTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify?: boolean;
}

/** A file's contents, re-read when the file changes. */
export class ReloadingFile {
  readonly path: string;
  readonly #setting: string;
  #stamp = "";
  #contents: Buffer;
  #version = 0;

  /** Reads the file now; CONFIG_INVALID naming `setting` and the path when it cannot be read. */
  constructor(path: string, setting: string) {
    this.path = path;
    this.#setting = setting;
    const first = this.#read();
    if (first instanceof Error) {
      throw new SlogateError(
        "CONFIG_INVALID",
        `cannot read ${setting} ${path}: ${(first as NodeJS.ErrnoException).code ?? first.message}`,
        {
          hint: `check that ${setting} names a file slogate can read (a mounted Secret or service-account token)`,
          details: { setting, path },
        },
      );
    }
    this.#contents = first;
  }

  /** The current contents (re-read when the file changed since the last call). */
  contents(): Buffer {
    const read = this.#read();
    if (!(read instanceof Error)) this.#contents = read;
    return this.#contents;
  }

  /** Increases each time new contents were read (for caches built from them). */
  get version(): number {
    this.contents();
    return this.#version;
  }

  #read(): Buffer | Error {
    try {
      const st = statSync(this.path);
      const stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      if (stamp === this.#stamp) return this.#contents;
      const data = readFileSync(this.path);
      this.#stamp = stamp;
      this.#version++;
      return data;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  toString(): string {
    return `${this.#setting} ${this.path}`;
  }
}

/** The token of a token file: its text without surrounding whitespace (a trailing newline). */
function tokenOf(file: ReloadingFile): string {
  return file.contents().toString("utf8").trim();
}

/** Throws CONFIG_INVALID when a credential file holds nothing usable in a header. */
function checkSecretText(value: string, file: ReloadingFile, what: string): void {
  if (value === "") {
    throw new SlogateError("CONFIG_INVALID", `${file.toString()} is empty`, {
      hint: `put the ${what} in the file`,
      details: { path: file.path },
    });
  }
  if (/[\r\n\0]/.test(value)) {
    throw new SlogateError(
      "CONFIG_INVALID",
      `${file.toString()} holds a line break or NUL inside the ${what}`,
      {
        hint: `the file must hold one ${what} on one line`,
        details: { path: file.path },
      },
    );
  }
}

/** The `Authorization` header value of every request, from files re-read when they change. */
export class FileAuthorization {
  readonly #value: () => string;

  private constructor(value: () => string) {
    this.#value = value;
  }

  /** `Authorization: Bearer <token>` from `path`. */
  static bearer(path: string, setting = "prometheus.auth.bearerTokenFile"): FileAuthorization {
    const file = new ReloadingFile(path, setting);
    checkSecretText(tokenOf(file), file, "token");
    let last = "";
    return new FileAuthorization(() => {
      const token = tokenOf(file);
      // A rotation caught half-written (empty) keeps the previous token.
      if (token !== "" && !/[\r\n\0]/.test(token)) last = token;
      return `Bearer ${last}`;
    });
  }

  /** `Authorization: Basic …` of `username` and the password in `path`. */
  static basic(
    username: string,
    path: string,
    setting = "prometheus.auth.basic.passwordFile",
  ): FileAuthorization {
    const file = new ReloadingFile(path, setting);
    // A password file's trailing newline (echo secret > file) is not part of the password.
    const password = (): string =>
      file
        .contents()
        .toString("utf8")
        .replace(/\r?\n$/, "");
    checkSecretText(password(), file, "password");
    let last = "";
    return new FileAuthorization(() => {
      const p = password();
      if (p !== "" && !/[\r\n\0]/.test(p)) last = p;
      return `Basic ${Buffer.from(`${username}:${last}`, "utf8").toString("base64")}`;
    });
  }

  /** The header value for the next request. */
  value(): string {
    return this.#value();
  }
}

/** The https agent of a backend, rebuilt when its CA, certificate or key file changes. */
export class TlsAgents {
  readonly #ca: ReloadingFile | undefined;
  readonly #cert: ReloadingFile | undefined;
  readonly #key: ReloadingFile | undefined;
  readonly #serverName: string | undefined;
  readonly #skipVerify: boolean;
  readonly #setting: string;
  #agent: Agent | undefined;
  #built = "";

  /** `setting` names the block in messages (`prometheus.tls`, `backends.<name>.tls`). */
  constructor(tls: BackendTlsFiles, setting = "prometheus.tls") {
    this.#setting = setting;
    this.#ca = tls.caFile === undefined ? undefined : new ReloadingFile(tls.caFile, `${setting}.caFile`);
    this.#cert =
      tls.certFile === undefined ? undefined : new ReloadingFile(tls.certFile, `${setting}.certFile`);
    this.#key = tls.keyFile === undefined ? undefined : new ReloadingFile(tls.keyFile, `${setting}.keyFile`);
    if ((this.#cert === undefined) !== (this.#key === undefined)) {
      throw new SlogateError("CONFIG_INVALID", "a client certificate needs both certFile and keyFile", {
        hint: `set ${setting}.certFile and ${setting}.keyFile together`,
      });
    }
    this.#serverName = tls.serverName;
    this.#skipVerify = tls.insecureSkipVerify === true;
    this.agent(); // bad PEM fails at start, not at the first look
  }

  /** The agent for the next request. */
  agent(): Agent {
    const key = [this.#ca?.version, this.#cert?.version, this.#key?.version].join(":");
    if (this.#agent !== undefined && key === this.#built) return this.#agent;
    let next: Agent;
    try {
      const material = {
        ...(this.#ca === undefined ? {} : { ca: this.#ca.contents() }),
        ...(this.#cert === undefined ? {} : { cert: this.#cert.contents() }),
        ...(this.#key === undefined ? {} : { key: this.#key.contents() }),
      };
      // Parses the PEM now (and checks the key matches the certificate): an Agent would only
      // find out at its first connection.
      createSecureContext(material);
      next = new Agent({
        keepAlive: true,
        ...material,
        ...(this.#serverName === undefined ? {} : { servername: this.#serverName }),
        rejectUnauthorized: !this.#skipVerify,
      });
    } catch (cause) {
      if (this.#agent !== undefined) return this.#agent; // a renewal caught half-written
      throw new SlogateError(
        "CONFIG_INVALID",
        `cannot use the TLS files of ${this.#setting}: ${(cause as NodeJS.ErrnoException).code ?? "invalid PEM"}`,
        {
          hint: "caFile, certFile and keyFile must be PEM files; keyFile must be the key of certFile",
          details: {
            files: [this.#ca, this.#cert, this.#key].filter((f) => f !== undefined).map((f) => f.path),
          },
        },
      );
    }
    // Requests in flight finish on the old agent; its idle connections close a minute later.
    const old = this.#agent;
    if (old !== undefined) setTimeout(() => old.destroy(), 60_000).unref();
    this.#agent = next;
    this.#built = key;
    return next;
  }

  /** Closes idle connections. */
  close(): void {
    this.#agent?.destroy();
  }
}
