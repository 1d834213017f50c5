// Starts a real Kring server (the release binary) on a free loopback port
// with a fresh SQLite database and the demo data, and a headless Debian
// Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import assert from 'node:assert/strict';

const root = resolve(import.meta.dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
export const KRING_BIN = process.env.KRING_BIN ?? join(targetDir, 'release', 'kring');
export const DEMO_PASSWORD = 'kring-demo';

/** A loopback port free at the moment of asking (bind :0, let go). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * A real SMTP server (nodemailer's smtp-server) on a free loopback port that
 * keeps every message it receives, parsed.
 */
export async function startSmtpSink() {
  const port = await freePort();
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({ to: mail.to?.text ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
          done();
        })
        .catch(done);
    },
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Waits for a message to `to` (Kring delivers from its outbox within seconds). */
    async waitFor(to, timeout = 15_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const found = messages.find((m) => m.to.includes(to));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to}; got ${messages.map((m) => m.to)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

/** `port`: a port chosen beforehand (e.g. an OpenID provider must know where to send people back). */
export async function startKring({ env = {}, port: chosen } = {}) {
  const port = chosen ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'kring-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(KRING_BIN, ['serve', '--demo'], {
    env: {
      PATH: process.env.PATH,
      KRING_BIND: `127.0.0.1:${port}`,
      KRING_DATA_DIR: dataDir,
      KRING_DEMO_PASSWORD: DEMO_PASSWORD,
      KRING_LOG: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`kring exited early:\n${log}`);
    try {
      const res = await fetch(base + '/');
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`kring did not start in 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Fails the test on any axe-core violation of the current page, and on
 * anything its Content-Security-Policy refused.
 */
export async function expectNoAxeViolations(page, label) {
  const result = await new AxeBuilder({ page }).analyze();
  const summary = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  assert.deepEqual(summary, [], `axe violations on ${label ?? page.url()}`);
  await expectNoCspViolations(page, label);
}

/** Waits until the wasm bundle has hydrated the page. */
export async function waitForHydration(page) {
  await page.waitForFunction(() => window.__kringHydrated === true || document.body.dataset.hydrated === 'true', null, {
    timeout: 15_000,
  });
}

/** Fails when the page scrolls sideways at its current width. */
export async function expectNoHorizontalScroll(page, label) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${label ?? page.url()} scrolls sideways: ${scroll} > ${client}`);
}

/** axe (0 violations), nothing refused by the Content-Security-Policy, and no sideways scrolling at 360 px, on the current page. */
export async function checkPage(page, label) {
  await expectNoAxeViolations(page, label);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, label);
  await page.setViewportSize(size);
}

/** Signs in through the form as a demo person (Dutch, the default language). */
export async function signIn(page, base, email) {
  await page.goto(base + '/sign-in');
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: /^Welkom, / }).waitFor();
}

/**
 * Fails when the page's Content-Security-Policy refused anything (a script
 * without the response's nonce, an inline style, …). Needs a context from
 * `openContext`, which records the browser's violation reports.
 */
export async function expectNoCspViolations(page, label) {
  const refused = await page.evaluate(() => window.__cspViolations ?? null);
  assert.ok(refused !== null, 'the page was opened in a context from openContext');
  assert.deepEqual(refused, [], `CSP refusals on ${label ?? page.url()}`);
}

/** A browser context whose actions time out (playwright-core has no default: never hang a CI run). */
export async function openContext(browser, options) {
  const context = await browser.newContext(options);
  // Init scripts run before the page's own and are not subject to its CSP.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}
