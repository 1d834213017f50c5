// The trunk end to end: sign in with a demo account, see the shell,
// switch language, sign out; a form without JavaScript; axe on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import {
  startKring,
  launchBrowser,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  waitForHydration,
  DEMO_PASSWORD,
  openContext,
} from './harness.js';

let kring;
let browser;
const newContext = (options) => openContext(browser, options);

before(async () => {
  kring = await startKring();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await kring?.stop();
});

const PAGES = ['/', '/sign-in', '/networks', '/sessions', '/cases', '/library', '/bestaat-niet'];

test('anonymous pages are Dutch, accessible and fit 360 px', async () => {
  const context = await newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  for (const path of PAGES) {
    const res = await page.goto(kring.base + path);
    assert.equal(res.status(), path === '/bestaat-niet' ? 404 : 200, path);
    assert.equal(await page.getAttribute('html', 'lang'), 'nl', path);
    await expectNoAxeViolations(page, path);
    await expectNoHorizontalScroll(page, path);
  }
  await context.close();
});

test('sign in, see the shell, switch language, sign out', async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(kring.base + '/');
  await page.getByRole('link', { name: 'Aanmelden' }).first().click();
  await page.waitForURL('**/sign-in');
  await waitForHydration(page);
  await page.getByLabel('E-mailadres').fill('coach@kring.demo');
  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  // The one island on this page: show the password while typing.
  await page.getByRole('button', { name: 'Toon wachtwoord' }).click();
  assert.equal(await page.getByLabel('Wachtwoord').getAttribute('type'), 'text');
  await page.getByRole('button', { name: 'Verberg wachtwoord' }).click();
  assert.equal(await page.getByLabel('Wachtwoord').getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Aanmelden' }).click();

  await page.getByRole('heading', { name: 'Welkom, Sofie Coach (demo)' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Hoofdmenu' });
  for (const area of ['Netwerken', 'Wie doet wat waar?', 'Sessies', 'Casussen', 'Bibliotheek']) {
    assert.ok(await nav.getByRole('link', { name: area }).isVisible(), area);
  }
  assert.ok(await page.getByText('demo', { exact: true }).isVisible(), 'demo accounts are marked');
  await expectNoAxeViolations(page, 'home (signed in)');

  // My networks, and a network page with its member table.
  await nav.getByRole('link', { name: 'Netwerken' }).click();
  await page.getByRole('heading', { name: 'Mijn netwerken' }).waitFor();
  await expectNoAxeViolations(page, 'my networks');
  await page.getByRole('link', { name: 'Lerend netwerk Baldemore' }).click();
  await page.getByRole('heading', { name: 'Lerend netwerk Baldemore' }).waitFor();
  await expectNoAxeViolations(page, 'network page');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'network page at 360 px');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole('link', { name: 'Leden bekijken' }).click();
  assert.ok(await page.getByRole('cell', { name: 'Lotte Procesbegeleider (demo)' }).isVisible());
  await expectNoAxeViolations(page, 'members page');

  await page.getByRole('link', { name: 'Sofie Coach (demo)' }).click();
  await page.getByRole('heading', { name: 'Mijn account' }).waitFor();
  await expectNoAxeViolations(page, 'account');

  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await waitForHydration(page);
  assert.ok(await page.getByRole('button', { name: 'Show password' }).isVisible(), 'islands get English words');
  await expectNoAxeViolations(page, 'account (en)');

  // The choice is kept in the profile: back to Dutch for the next tests.
  await page.getByRole('button', { name: 'NL', exact: true }).click();
  await page.getByRole('heading', { name: 'Mijn account' }).waitFor();

  await page.getByRole('button', { name: 'Afmelden' }).click();
  await page.getByRole('link', { name: 'Aanmelden' }).first().waitFor();
  await page.goto(kring.base + '/account');
  await page.waitForURL(/\/sign-in\?next=\/account$/);
  await context.close();
});

test('a form without JavaScript shows the error and keeps the email', async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(kring.base + '/sign-in');
  await page.getByLabel('E-mailadres').fill('coach@kring.demo');
  await page.getByLabel('Wachtwoord').fill('verkeerd-wachtwoord');
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Toon wachtwoord' }).count(), 0, 'no dead button without JS');
  assert.match(await page.getByRole('alert').innerText(), /horen niet bij elkaar/);
  assert.equal(await page.getByLabel('E-mailadres').inputValue(), 'coach@kring.demo');
  // axe needs JavaScript: check the same error page in a page that has it.
  const jsContext = await newContext();
  const jsPage = await jsContext.newPage();
  await jsPage.goto(page.url());
  await jsPage.getByRole('alert').waitFor();
  await expectNoAxeViolations(jsPage, 'sign-in with an error');
  await jsContext.close();

  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: 'Welkom, Sofie Coach (demo)' }).waitFor();
  await context.close();
});

test('keyboard: the first Tab reaches the skip link, focus is visible', async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(kring.base + '/');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({
    text: document.activeElement?.textContent,
    outline: getComputedStyle(document.activeElement).outlineStyle,
  }));
  assert.equal(focused.text, 'Naar de inhoud');
  assert.notEqual(focused.outline, 'none');
  await context.close();
});

test('an admin filters the audit log by keyboard, at 360 px', async () => {
  const context = await newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(kring.base + '/sign-in');
  await waitForHydration(page);
  await page.getByLabel('E-mailadres').fill('admin@kring.demo');
  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: /^Welkom/ }).waitFor();
  await page.goto(kring.base + '/account');
  await page.getByRole('link', { name: 'Het auditlog bekijken' }).click();
  await page.getByRole('heading', { name: 'Auditlog' }).waitFor();
  await expectNoAxeViolations(page, 'audit log');
  await expectNoHorizontalScroll(page, 'audit log at 360 px');
  await page.getByLabel('Gebeurtenis').selectOption('sign_in');
  await page.getByLabel('Wie (naam of e-mailadres)').fill('admin@');
  await page.keyboard.press('Enter');
  await page.waitForURL(/action=sign_in/);
  await page.getByRole('cell', { name: 'Aangemeld' }).first().waitFor();
  const actions = await page.locator('tbody tr td:nth-child(3)').allInnerTexts();
  assert.ok(actions.length > 0 && actions.every((a) => a === 'Aangemeld'), actions.join(', '));
  await expectNoAxeViolations(page, 'audit log filtered');
  await context.close();
});

/** The code an authenticator app shows now (RFC 6238: SHA-1, 6 digits, 30 s). */
function totp(base32, unixSeconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const key = [];
  for (const c of base32.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      key.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const h = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const o = h[19] & 15;
  const n = (((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000;
  return String(n).padStart(6, '0');
}

test('two-step sign-in: set up by keyboard at 360 px, then sign in with a recovery code', async () => {
  const email = 'coordinator.bilzen@kring.demo';
  const context = await newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(kring.base + '/sign-in');
  await waitForHydration(page);
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: /^Welkom/ }).waitFor();
  await page.goto(kring.base + '/account');
  await page.getByRole('link', { name: 'Aanmelden in twee stappen beheren' }).click();
  await page.getByRole('heading', { name: 'Aanmelden in twee stappen', level: 1 }).waitFor();
  await expectNoAxeViolations(page, 'two-step, off');
  await page.getByRole('button', { name: 'Instellen' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('img', { name: /QR-code/ }).waitFor();
  await expectNoAxeViolations(page, 'two-step, scan');
  await expectNoHorizontalScroll(page, 'two-step set-up at 360 px');
  const secret = await page.locator('code[data-secret]').getAttribute('data-secret');
  await page.getByLabel('Typ de code van 6 cijfers die de app nu toont').fill('000000');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'Die code klopt niet' }).waitFor();
  await page.getByLabel('Typ de code van 6 cijfers die de app nu toont').fill(totp(secret));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Je herstelcodes' }).waitFor();
  await expectNoAxeViolations(page, 'two-step, recovery codes');
  const codes = await page.locator('.recovery-codes code').allInnerTexts();
  assert.equal(codes.length, 10, codes.join(' '));
  await context.close();

  // Another browser: the password, then the code step.
  const other = await newContext({ viewport: { width: 360, height: 740 } });
  const phone = await other.newPage();
  await phone.goto(kring.base + '/sign-in');
  await waitForHydration(phone);
  await phone.getByLabel('E-mailadres').fill(email);
  await phone.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await phone.getByRole('button', { name: 'Aanmelden' }).click();
  await phone.getByRole('heading', { name: 'Je code' }).waitFor();
  await expectNoAxeViolations(phone, 'sign-in code');
  await expectNoHorizontalScroll(phone, 'sign-in code at 360 px');
  const field = phone.getByLabel('Code uit je app, of een herstelcode');
  await field.fill('000000');
  await phone.keyboard.press('Enter');
  await phone.getByRole('alert').filter({ hasText: 'Die code klopt niet' }).waitFor();
  await expectNoAxeViolations(phone, 'sign-in code, wrong');
  await phone.getByLabel('Code uit je app, of een herstelcode').fill(codes[0]);
  await phone.keyboard.press('Enter');
  await phone.getByRole('heading', { name: /^Welkom/ }).waitFor();
  await other.close();
});

// Last in this file: it deletes the demo coach.
test('download my data, then delete the account by keyboard at 360 px', async () => {
  const context = await newContext({ viewport: { width: 360, height: 740 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(kring.base + '/sign-in');
  await waitForHydration(page);
  await page.getByLabel('E-mailadres').fill('coach@kring.demo');
  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: 'Welkom, Sofie Coach (demo)' }).waitFor();

  await page.goto(kring.base + '/account');
  await page.getByRole('heading', { name: 'Jouw gegevens' }).waitFor();
  await waitForHydration(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Mijn gegevens downloaden' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^kring-\d{4}-\d{2}-\d{2}\.zip$/);
  const zip = readFileSync(await download.path());
  assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK', 'a zip archive');
  assert.ok(zip.includes('profile.json'), 'with the profile');

  await page.getByRole('link', { name: 'Mijn account verwijderen…' }).click();
  await page.getByRole('heading', { name: 'Mijn account verwijderen' }).waitFor();
  await expectNoAxeViolations(page, 'delete account');
  await expectNoHorizontalScroll(page, 'delete account at 360 px');

  const posts = page.getByLabel('Verwijder ook mijn reacties en reflecties');
  await posts.focus();
  await page.keyboard.press('Space');
  assert.ok(await posts.isChecked());
  await page.getByLabel('Je wachtwoord, ter bevestiging').fill('verkeerd-wachtwoord');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'horen niet bij elkaar' }).waitFor();
  assert.ok(await posts.isChecked(), 'nothing typed is lost');
  await expectNoAxeViolations(page, 'delete account with an error');

  await page.getByLabel('Je wachtwoord, ter bevestiging').fill(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Account verwijderd' }).waitFor();
  await expectNoAxeViolations(page, 'account deleted');
  await page.goto(kring.base + '/account');
  await page.waitForURL(/\/sign-in\?next=\/account$/);
  await context.close();
});
