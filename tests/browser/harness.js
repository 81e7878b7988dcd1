// Shared by the browser tests: starts `fours serve --demo` on a free port with its own SQLite
// folder, launches Debian's Chromium, and signs demo users in.
import { before, after } from "node:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:net";
import { chromium } from "playwright-core";

const repo = resolve(import.meta.dirname, "../..");
const binary = process.env.FOURS_BIN ?? join(repo, "target/debug/fours");
let server, dataDir;
export let browser, baseUrl;

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function waitUntilHealthy(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`fours did not become healthy at ${url}`);
}

// The server uses its own SQLite file in a fresh folder, whatever the caller's environment says.
function serverEnv() {
  const env = { ...process.env, RUST_LOG: "warn" };
  delete env.FOURS_DATABASE_URL;
  delete env.FOURS_CONFIG;
  return env;
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "fours-browser-"));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(binary, ["serve", "--demo", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    stdio: ["ignore", "inherit", "inherit"],
    env: serverEnv(),
  });
  await waitUntilHealthy(baseUrl, 120);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Opens a page signed in as the demo user `username` (all demo passwords are the same). */
export async function signedIn(username, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ locale: "zh-CN", viewport });
  await page.goto(`${baseUrl}/login`);
  await page.fill("#username", username);
  await page.fill("#password", "fours-demo");
  await page.click("button[type=submit]");
  await page.waitForURL(`${baseUrl}/`);
  return page;
}
