// Single sign-on end to end, through a real OpenID provider (npm's
// oidc-provider, end2end/oidc/provider.js) on loopback: a new person signs
// in by keyboard at 360 px, sees the linked organisation account, signs out
// and is offered the provider's own sign-out; a refused return shows the
// alert; an existing account is linked after a wrong, then the right
// password; an account without a password confirms at the provider
// (prompt=login) before deleting itself. axe (0 violations), CSP and 360 px
// on every Kring page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startKring, launchBrowser, checkPage, openContext, freePort, DEMO_PASSWORD } from './harness.js';

let kring;
let browser;
let idp;
let dir;

/** Starts the test provider; resolves with its issuer once it prints its ready line. */
function startProvider(kringBase) {
  const script = resolve(import.meta.dirname, '..', 'oidc', 'provider.js');
  const proc = spawn(process.execPath, [
    script,
    '--port', '0',
    '--redirect-uri', `${kringBase}/sign-in/sso/test/callback`,
    '--post-logout-uri', `${kringBase}/signed-out`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => (log += d));
  // Keep reading stdout for the whole run (the provider dies of EPIPE otherwise).
  const lines = createInterface({ input: proc.stdout });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`provider not ready in 30 s:\n${log}`)), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      ok({ issuer: JSON.parse(line).issuer, proc, lines });
    });
    proc.once('exit', (code) => fail(new Error(`provider exited (${code}):\n${log}`)));
  });
}

before(async () => {
  // Kring's address first: the provider must know where to send people back.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  idp = await startProvider(base);
  dir = mkdtempSync(join(tmpdir(), 'kring-sso-'));
  const file = join(dir, 'sso.toml');
  writeFileSync(file, [
    '[[sso]]',
    'id = "test"',
    'name = "Testorganisatie"',
    `issuer = "${idp.issuer}"`,
    'client_id = "kring"',
    'client_secret = "kring-test-secret"',
    'organisation = "Testorganisatie"',
    '',
  ].join('\n'));
  kring = await startKring({ port, env: { KRING_SSO_FILE: file } });
  assert.equal(kring.base, base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await kring?.stop();
  idp?.proc.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Tabs until `locator` has the focus, then presses Enter (keyboard only). */
async function tabTo(page, locator, max = 40) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await locator.evaluate((el) => el === document.activeElement)) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  throw new Error(`could not reach ${locator} by keyboard`);
}

/** At the test provider: types the address and signs in, by keyboard. */
async function signInAtProvider(page, email) {
  await page.getByLabel('E-mail address').waitFor();
  await page.getByLabel('E-mail address').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
}

test('a new person signs in by keyboard at 360 px through the provider, and signs out of both', async () => {
  const ctx = await openContext(browser, { viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  await page.goto(kring.base + '/sign-in');
  const button = page.getByRole('link', { name: 'Aanmelden met Testorganisatie' });
  await button.waitFor();
  await checkPage(page, 'sign-in page with a provider');
  await tabTo(page, button);
  await signInAtProvider(page, 'lien.desmet@example.org');
  await page.waitForURL((url) => url.href.startsWith(kring.base) && !url.pathname.startsWith('/sign-in'));
  await page.goto(kring.base + '/account');
  await page.getByRole('heading', { name: 'Organisatie-accounts' }).waitFor();
  assert.ok(await page.getByText('Gekoppeld: Testorganisatie (lien.desmet@example.org)').isVisible());
  await checkPage(page, 'account page with a linked organisation account');
  await page.getByRole('button', { name: 'Afmelden' }).click();
  await page.getByRole('heading', { name: 'Afgemeld' }).waitFor();
  await checkPage(page, 'signed-out page');
  const logout = page.getByRole('link', { name: 'Ook afmelden bij Testorganisatie' });
  const href = await logout.getAttribute('href');
  assert.equal(href, '/sign-in/sso/test/logout');
  await logout.click();
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  assert.ok(page.url().includes('/session/end'), page.url());
  await ctx.close();
});

test('a refused return shows the alert on the sign-in page', async () => {
  const ctx = await openContext(browser);
  const page = await ctx.newPage();
  // A return that was never started here.
  await page.goto(kring.base + '/sign-in/sso/test/callback?code=abc&state=xyz');
  await page.getByRole('alert').filter({ hasText: 'niet hier begonnen' }).waitFor();
  assert.ok(page.url().includes('sso_error=state'));
  await checkPage(page, 'sign-in page with an SSO alert');
  await page.goto(kring.base + '/sign-in/sso/nergens');
  await page.getByRole('alert').filter({ hasText: 'bestaat niet' }).waitFor();
  await ctx.close();
});

test('an existing account is linked after a wrong, then the right password', async () => {
  const ctx = await openContext(browser);
  const page = await ctx.newPage();
  await page.goto(kring.base + '/sign-in');
  await page.getByRole('link', { name: 'Aanmelden met Testorganisatie' }).click();
  await signInAtProvider(page, 'coach@kring.demo');
  await page.getByRole('heading', { name: 'Organisatie-account koppelen' }).waitFor();
  await checkPage(page, 'link page');
  await page.getByLabel('Wachtwoord').fill('niet-het-wachtwoord');
  await page.getByRole('button', { name: 'Koppelen en aanmelden' }).click();
  await page.getByRole('alert').first().waitFor();
  await checkPage(page, 'link page with a wrong password');
  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Koppelen en aanmelden' }).click();
  // Signed in, back where the sign-in started (the home page).
  await page.getByRole('heading', { name: /^Welkom, / }).waitFor();
  await page.goto(kring.base + '/account');
  await page.getByRole('heading', { name: 'Organisatie-accounts' }).waitFor();
  assert.ok(await page.getByText('Gekoppeld: Testorganisatie (coach@kring.demo)').isVisible());
  await ctx.close();
});

test('an account without a password confirms at the provider, then deletes itself', async () => {
  const ctx = await openContext(browser, { viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  await page.goto(kring.base + '/sign-in');
  await page.getByRole('link', { name: 'Aanmelden met Testorganisatie' }).click();
  await signInAtProvider(page, 'wout.maes@example.org');
  await page.waitForURL((url) => url.href.startsWith(kring.base) && !url.pathname.startsWith('/sign-in'));
  await page.goto(kring.base + '/account/delete');
  const confirm = page.getByRole('link', { name: 'Bevestig met Testorganisatie' });
  await confirm.waitFor();
  assert.equal(await page.getByLabel('Je wachtwoord, ter bevestiging').count(), 0, 'no password to give');
  await checkPage(page, 'delete page before the confirmation');
  await tabTo(page, confirm);
  // prompt=login: the provider asks again.
  await signInAtProvider(page, 'wout.maes@example.org');
  await page.waitForURL((url) => url.href === kring.base + '/account/delete');
  await page.getByText('Bevestigd via je organisatie').waitFor();
  await checkPage(page, 'delete page after the confirmation');
  await page.getByRole('button', { name: 'Account definitief verwijderen' }).click();
  await page.waitForURL((url) => url.pathname === '/account/deleted');
  await ctx.close();
});
