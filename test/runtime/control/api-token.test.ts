import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ensureToken, readToken } from "../../../runtime/control/api-token.ts";
import { tokenMatches } from "../../../runtime/control/token-check.ts";
import { isWardenError } from "../../../machines/errors.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-token-"));
  dirs.push(dir);
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("ensureToken / readToken", () => {
  it("creates the state directory (0700) and a 64-hex token (0600), then reuses it", () => {
    const stateDir = join(tempDir(), "nested", ".warden");
    expect(readToken(stateDir)).toBeUndefined();
    const token = ensureToken(stateDir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(stateDir)).toBe(0o700);
    expect(mode(join(stateDir, "token"))).toBe(0o600);
    expect(ensureToken(stateDir)).toBe(token);
    expect(readToken(stateDir)).toBe(token);
    expect(readdirSync(stateDir)).toEqual(["token"]);
    expect(ensureToken(tempDir())).not.toBe(token);
  });

  it("leaves the mode of a state directory it did not create alone", () => {
    const stateDir = tempDir();
    const before = mode(stateDir);
    ensureToken(stateDir);
    expect(mode(stateDir)).toBe(before);
  });

  it("accepts a token file with a trailing newline, written by hand", () => {
    const stateDir = tempDir();
    writeFileSync(join(stateDir, "token"), `${"ab".repeat(32)}\n`);
    expect(ensureToken(stateDir)).toBe("ab".repeat(32));
  });

  it("a token file that is not 64 hex characters is a WardenError naming the file", () => {
    const stateDir = tempDir();
    const file = join(stateDir, "token");
    for (const content of ["", "abc", "g".repeat(64), "a".repeat(65)]) {
      writeFileSync(file, content);
      for (const read of [ensureToken, readToken]) {
        try {
          read(stateDir);
          expect.unreachable(`accepted ${JSON.stringify(content)}`);
        } catch (error) {
          expect(isWardenError(error, "WARDEN_ERR_CONFIG")).toBe(true);
          expect((error as Error).message).toContain(file);
        }
      }
    }
  });

  it("managers starting at once for the first time all end up with the same token", async () => {
    const stateDir = join(tempDir(), ".warden");
    const module = fileURLToPath(new URL("../../../runtime/control/api-token.ts", import.meta.url));
    const script = `import { ensureToken } from ${JSON.stringify(module)}; process.stdout.write(ensureToken(${JSON.stringify(stateDir)}));`;
    const tokens = await Promise.all(
      Array.from({ length: 6 }, () =>
        runNode(["--import", "tsx", "--input-type=module", "-e", script]),
      ),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBe(readFileSync(join(stateDir, "token"), "utf8").trim());
    expect(readdirSync(stateDir)).toEqual(["token"]);
  }, 20_000);
});

describe("tokenMatches", () => {
  const token = "0123456789abcdef".repeat(4);

  it("matches only the exact token", () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, undefined)).toBe(false);
    expect(tokenMatches(token, "")).toBe(false);
    expect(tokenMatches(token, token.toUpperCase())).toBe(false);
    expect(tokenMatches(token, `${token} `)).toBe(false);
    expect(tokenMatches(token, token.slice(0, 63))).toBe(false);
    expect(tokenMatches(token, `${token}0`)).toBe(false);
  });

  it("compares inputs of any length without throwing (lengths never reach timingSafeEqual)", () => {
    expect(tokenMatches(token, "x".repeat(10_000))).toBe(false);
    expect(tokenMatches("", "")).toBe(true);
    expect(tokenMatches(token, "é".repeat(64))).toBe(false);
  });
});

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: fileURLToPath(new URL("../../..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`node exited with ${code}: ${err}`));
    });
  });
}
