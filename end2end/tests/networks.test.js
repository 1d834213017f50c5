// Networks end to end: a facilitator creates an inter-municipal network and
// invites a coach by email (through a real SMTP server); the coach accepts
// and sees it on the dashboard; a join request is approved; non-members get
// the not-found page for members-only pages; the directory by postcode.
// axe (0 violations) and 360 px on every page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startKring,
  startSmtpSink,
  launchBrowser,
  checkPage,
  signIn as signInAs,
  openContext,
} from './harness.js';

let kring;
let smtp;
let browser;
const newContext = (options) => openContext(browser, options);

before(async () => {
  smtp = await startSmtpSink();
  kring = await startKring({ env: { KRING_SMTP_URL: smtp.url, KRING_MAIL_FROM: 'Kring <kring@example.be>' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await kring?.stop();
  await smtp?.stop();
});

const signIn = (page, email) => signInAs(page, kring.base, email);

const check = checkPage;

test('facilitator creates a network, invites a coach by email, the coach joins', async () => {
  const ctx = await newContext();
  const page = await ctx.newPage();
  await signIn(page, 'facilitator@kring.demo');
  await page.goto(kring.base + '/networks');
  await page.getByRole('link', { name: 'Nieuw netwerk' }).click();
  await page.getByRole('heading', { name: 'Nieuw netwerk' }).waitFor();
  await check(page, 'new network form');
  await page.getByLabel('Naam van het netwerk').fill('Lerend netwerk Noorderkempen');
  await page.getByLabel('Webadres').fill('lerend-netwerk-noorderkempen');
  await page.getByLabel('Beschrijving').fill('Hoogstraten, Rijkevorsel en Merksplas leren samen.');
  await page.getByLabel('Gemeenten').fill('Hoogstraten, Rijkevorsel, Atlantis');
  await page.getByLabel('Organisaties').fill('OCMW Hoogstraten\nCAW De Kempen');
  await page.getByLabel('intergemeentelijk netwerk').check();
  await page.getByRole('button', { name: 'Nieuw netwerk' }).click();
  // Bad input: a clear message, nothing lost.
  await page.getByRole('alert').filter({ hasText: 'Onbekende gemeente: Atlantis' }).waitFor();
  assert.equal(await page.getByLabel('Naam van het netwerk').inputValue(), 'Lerend netwerk Noorderkempen');
  await page.getByLabel('Gemeenten').fill('Hoogstraten, Rijkevorsel, 2330');
  await page.getByRole('button', { name: 'Nieuw netwerk' }).click();
  await page.getByRole('heading', { name: 'Lerend netwerk Noorderkempen' }).waitFor();
  assert.ok(await page.getByText('Hoogstraten, Merksplas, Rijkevorsel').isVisible());
  await check(page, 'network page (facilitator)');

  await page.getByRole('link', { name: 'Uitnodigen en aanvragen' }).click();
  await page.getByRole('heading', { name: 'Uitnodigen en aanvragen' }).waitFor();
  await check(page, 'manage page');
  await page.getByLabel('E-mailadres').fill('jana.peeters@example.be');
  await page.getByLabel('Rol', { exact: true }).selectOption('coach');
  await page.getByRole('button', { name: 'Uitnodiging versturen' }).click();
  await page.getByRole('status').filter({ hasText: 'De uitnodiging is verstuurd' }).waitFor();
  assert.ok(await page.getByText('jana.peeters@example.be').isVisible());

  const mail = await smtp.waitFor('jana.peeters@example.be');
  assert.match(mail.subject, /Lerend netwerk Noorderkempen/);
  const link = mail.text.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/)?.[0];
  assert.ok(link, `link in mail: ${mail.text}`);

  // The coach has no account yet: the link creates it.
  const coachCtx = await newContext();
  const coach = await coachCtx.newPage();
  await coach.goto(link.replace(/^https?:\/\/[^/]+/, kring.base));
  await coach.getByRole('heading', { name: 'Maak je account aan' }).waitFor();
  await check(coach, 'invitation page');
  await coach.getByLabel('Naam').fill('Jana Peeters');
  await coach.getByLabel('Wachtwoord', { exact: true }).fill('een-sterk-wachtwoord');
  await coach.getByLabel('Wachtwoord (herhaal)').fill('een-sterk-wachtwoord');
  await coach.getByRole('button', { name: 'Account aanmaken en aansluiten' }).click();
  await coach.getByRole('status').filter({ hasText: 'Welkom!' }).waitFor();
  await coach.goto(kring.base + '/networks');
  assert.ok(await coach.getByRole('link', { name: 'Lerend netwerk Noorderkempen' }).isVisible());
  await check(coach, 'dashboard of the new coach');

  // The link works once.
  const again = await (await newContext()).newPage();
  await again.goto(link.replace(/^https?:\/\/[^/]+/, kring.base));
  await again.getByRole('alert').filter({ hasText: 'al gebruikt of ingetrokken' }).waitFor();

  // The facilitator sees the coach among the members.
  await page.goto(kring.base + '/networks/lerend-netwerk-noorderkempen/members');
  assert.ok(await page.getByRole('cell', { name: 'Jana Peeters', exact: true }).isVisible());
  await check(page, 'members page (facilitator)');
  await ctx.close();
  await coachCtx.close();
});

test('a join request is approved; non-members get not-found', async () => {
  const ctx = await newContext();
  const page = await ctx.newPage();
  await signIn(page, 'nieuwkomer@kring.demo');
  for (const sub of ['members', 'manage']) {
    const res = await page.goto(kring.base + `/networks/lerend-netwerk-lokale-gezinscoaches/${sub}`);
    assert.equal(res.status(), 404, sub);
    await page.getByRole('heading', { name: 'Pagina niet gevonden' }).waitFor();
  }
  await check(page, 'not found for a non-member');
  await page.goto(kring.base + '/networks/lerend-netwerk-lokale-gezinscoaches');
  await check(page, 'network page (non-member)');
  await page.getByLabel('Bericht').fill('Ik start als gezinscoach in Geel.');
  await page.getByRole('button', { name: 'Vraag om aan te sluiten' }).click();
  await page.getByRole('status').filter({ hasText: 'Je aanvraag is verstuurd' }).waitFor();
  await smtp.waitFor('facilitator@kring.demo');

  const facCtx = await newContext();
  const fac = await facCtx.newPage();
  await signIn(fac, 'facilitator@kring.demo');
  await fac.goto(kring.base + '/networks/lerend-netwerk-lokale-gezinscoaches/manage');
  assert.ok(await fac.getByText('Ik start als gezinscoach in Geel.').isVisible());
  await check(fac, 'manage page with a request');
  await fac.getByLabel('Rol van Eva Nieuwkomer (demo)').selectOption('observer');
  await fac.getByRole('button', { name: 'Goedkeuren' }).click();
  await fac.getByRole('status').filter({ hasText: 'goedgekeurd' }).waitFor();

  const res = await page.goto(kring.base + '/networks/lerend-netwerk-lokale-gezinscoaches/members');
  assert.equal(res.status(), 200);
  assert.ok(await page.getByRole('cell', { name: 'Eva Nieuwkomer (demo) (jij)' }).isVisible());
  await page.goto(kring.base + '/networks');
  assert.ok(await page.getByRole('link', { name: 'Lerend netwerk lokale gezinscoaches' }).isVisible());
  await ctx.close();
  await facCtx.close();
});

test('the directory finds networks by postcode and sends a handover request', async () => {
  const ctx = await newContext();
  const page = await ctx.newPage();
  await signIn(page, 'coach@kring.demo');
  await page.getByRole('link', { name: 'Wie doet wat waar?' }).first().click();
  await page.getByRole('heading', { name: 'Wie doet gezinscoaching waar?' }).waitFor();
  await page.getByLabel('Gemeente of postcode').fill('3000');
  await page.getByRole('button', { name: 'Zoeken' }).click();
  await page.getByRole('heading', { name: /^Leuven/ }).waitFor();
  assert.ok(await page.getByRole('link', { name: 'Werf gezinscoach Leuven' }).isVisible());
  await check(page, 'directory results');
  const card = page.locator('section.card', { has: page.getByRole('link', { name: 'Werf gezinscoach Leuven' }) });
  await card.getByText('Overdrachtsvraag aan Werf gezinscoach Leuven').click();
  await card.getByLabel('Bericht').fill('Een gezin verhuist binnenkort naar Leuven. Kunnen we even bellen?');
  await card.getByRole('button', { name: 'Overdrachtsvraag versturen' }).click();
  await page.getByRole('status').filter({ hasText: 'overdrachtsvraag is verstuurd' }).waitFor();
  const mail = await smtp.waitFor('coordinator.leuven@kring.demo');
  assert.match(mail.text, /coach@kring\.demo/);
  await ctx.close();
});
