// Sessions end to end: a facilitator schedules a monthly intervision series
// (first Tuesday, September to June) with a bad input first and edits one
// meeting; a coach answers
// once for the whole series and sees ten meetings, then declines one; the
// facilitator runs the live phases while the coach's page follows without a
// reload; attendance and minutes are recorded; the coach sees the hours.
// axe (0 violations) and 360 px on every page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startKring,
  launchBrowser,
  waitForHydration,
  checkPage,
  signIn as signInAs,
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

const signIn = (page, email) => signInAs(page, kring.base, email);

const check = checkPage;

/** The first Tuesday of a month, as YYYY-MM-DD. */
function firstTuesday(year, month) {
  const d = new Date(Date.UTC(year, month - 1, 1));
  while (d.getUTCDay() !== 2) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const TITLE = 'Intervisie Kempen (test)';

test('a monthly series: schedule, one answer, decline one, live phases, attendance, hours', async () => {
  // Next school year, September to June: always ten first Tuesdays.
  const year = new Date().getUTCFullYear() + 1;
  const first = firstTuesday(year, 9);

  const facCtx = await newContext();
  const fac = await facCtx.newPage();
  await signIn(fac, 'facilitator@kring.demo');
  await fac.goto(kring.base + '/networks/lerend-netwerk-baldemore');
  await fac.getByRole('link', { name: 'Bekijk de bijeenkomsten' }).click();
  await fac.getByRole('heading', { name: 'Sessies', exact: true }).waitFor();
  await check(fac, 'network sessions');
  await fac.getByRole('link', { name: 'Bijeenkomst plannen' }).click();
  await fac.getByRole('heading', { name: 'Bijeenkomst plannen' }).waitFor();
  await check(fac, 'schedule form');

  await fac.getByLabel('Titel', { exact: true }).fill(TITLE);
  await fac.getByLabel('Datum', { exact: true }).fill(first);
  await fac.getByLabel('Beginuur').fill('13:30');
  await fac.getByLabel('Einduur').fill('15:30');
  await fac.getByLabel('Elke maand op dezelfde weekdag').check();
  await fac.getByLabel('Herhalen tot en met').fill(`${year + 1}-06-30`);
  await fac.getByLabel('Adres', { exact: true }).fill('Sociaal Huis Mol, Markt 1');
  await fac.getByLabel('Onlinelink').fill('meet.example.be/kempen');
  await fac.getByLabel('Maximum aantal deelnemers').fill('12');
  await fac.getByLabel('Intervisiemethode').selectOption({ label: 'Incidentmethode' });
  await fac.getByLabel('Agenda', { exact: true }).fill('1. Check-in\n2. **Casus** volgens de incidentmethode');
  await fac.getByRole('button', { name: 'Bijeenkomst plannen' }).click();
  // Bad input: a clear message, nothing lost.
  await fac.getByRole('alert').filter({ hasText: 'http' }).waitFor();
  assert.equal(await fac.getByLabel('Titel', { exact: true }).inputValue(), TITLE);
  assert.equal(await fac.getByLabel('Herhalen tot en met').inputValue(), `${year + 1}-06-30`);
  assert.match(await fac.getByLabel('Agenda', { exact: true }).inputValue(), /Casus/);
  await fac.getByLabel('Onlinelink').fill('https://meet.example.be/kempen');
  await fac.getByRole('button', { name: 'Bijeenkomst plannen' }).click();
  await fac.getByRole('status').filter({ hasText: 'De bijeenkomst is gepland.' }).waitFor();
  await fac.getByRole('heading', { name: TITLE }).waitFor();
  assert.ok(await fac.getByText('10 bijeenkomsten', { exact: true }).isVisible());
  await check(fac, 'session page (facilitator)');
  const sessionUrl = fac.url().replace(/[?#].*$/, '');

  // Edit this meeting only (as in a calendar); bad input first.
  await fac.getByRole('link', { name: 'Wijzig' }).click();
  await fac.getByRole('heading', { name: 'Bijeenkomst wijzigen' }).waitFor();
  await check(fac, 'edit form');
  assert.equal(await fac.getByLabel('Titel', { exact: true }).inputValue(), TITLE);
  assert.equal(await fac.getByLabel('Alleen deze').isChecked(), true);
  await fac.getByLabel('Adres', { exact: true }).fill('Bibliotheek Mol, zaal 2');
  await fac.getByLabel('Einduur').fill('13:00');
  await fac.getByRole('button', { name: 'Bewaar de wijzigingen' }).click();
  await fac.getByRole('alert').waitFor();
  assert.equal(await fac.getByLabel('Adres', { exact: true }).inputValue(), 'Bibliotheek Mol, zaal 2');
  await fac.getByLabel('Einduur').fill('15:30');
  await fac.getByRole('button', { name: 'Bewaar de wijzigingen' }).click();
  await fac.getByRole('status').filter({ hasText: 'De wijzigingen zijn bewaard.' }).waitFor();
  assert.ok(await fac.getByText('Bibliotheek Mol, zaal 2').isVisible());

  // The coach answers once for the whole series.
  const coachCtx = await newContext();
  const coach = await coachCtx.newPage();
  await signIn(coach, 'coach@kring.demo');
  await coach.goto(sessionUrl);
  await coach.getByRole('heading', { name: TITLE }).waitFor();
  await check(coach, 'session page (coach)');
  await coach
    .getByRole('heading', { name: /Eén antwoord voor de hele reeks/ })
    .locator('xpath=following-sibling::form[1]')
    .getByRole('button', { name: 'Ik kom', exact: true })
    .click();
  await coach.getByRole('status').filter({ hasText: 'alle komende bijeenkomsten van de reeks' }).waitFor();

  await coach.goto(kring.base + '/sessions');
  await coach.getByRole('heading', { name: 'Mijn bijeenkomsten' }).waitFor();
  const mine = coach.locator('li.session').filter({ hasText: TITLE });
  assert.equal(await mine.count(), 10, 'ten meetings of the series');
  assert.equal(await mine.filter({ hasText: 'Ik kom' }).count(), 10);
  assert.equal(await mine.filter({ hasText: 'Bibliotheek Mol, zaal 2' }).count(), 1, 'only the edited meeting moved');
  await check(coach, 'my sessions');

  // "Not this one": the third meeting.
  await mine.nth(2).getByRole('link', { name: TITLE }).click();
  await coach.getByRole('heading', { name: TITLE }).waitFor();
  await coach
    .getByRole('heading', { name: 'Kom je?' })
    .locator('xpath=following-sibling::form[1]')
    .getByRole('button', { name: 'Ik kom niet' })
    .click();
  await coach.getByRole('status').filter({ hasText: 'Je antwoord is bewaard.' }).waitFor();
  await coach.goto(kring.base + '/sessions');
  assert.equal(await mine.count(), 10);
  assert.equal(await mine.nth(2).getByText('Ik kom niet').count(), 1);
  assert.equal(await mine.filter({ hasText: /Ik kom(?! niet)/ }).count(), 9);

  // The calendar feed: a secret link shown once; the declined meeting is
  // left out of it.
  await coach.getByRole('button', { name: 'Maak een nieuwe agendalink' }).click();
  const feedUrl = await coach.getByLabel('Link voor je agenda').inputValue();
  const feed = await (await fetch(feedUrl.replace(/^https?:\/\/[^/]+/, kring.base))).text();
  assert.equal(feed.match(new RegExp(`SUMMARY:${TITLE.replace(/[()]/g, '\\$&')}`, 'g'))?.length, 9);
  await check(coach, 'my sessions with the feed link');

  // Live mode: the coach's page follows the facilitator without a reload.
  await coach.goto(sessionUrl);
  await waitForHydration(coach);
  await coach.evaluate(() => (window.__notReloaded = true));
  await fac.goto(sessionUrl);
  await fac.getByRole('button', { name: 'Start de intervisie' }).click();
  await fac.getByText('Fase 1 van 6').waitFor();
  await coach.getByRole('status').filter({ hasText: 'Fase 1 van 6' }).waitFor();
  await fac.getByRole('button', { name: 'Volgende fase' }).click();
  await fac.getByText('Fase 2 van 6').waitFor();
  await coach.getByRole('status').filter({ hasText: 'Verhelderende vragen' }).waitFor();
  assert.equal(await coach.evaluate(() => window.__notReloaded), true, 'no reload');
  await check(coach, 'live mode (coach)');
  await fac.getByRole('button', { name: 'Rond af' }).click();

  // Attendance, pre-filled from the answers, and minutes.
  await fac.getByRole('heading', { name: 'Aanwezigheid en verslag' }).waitFor();
  const sofie = fac.getByLabel(/Sofie Coach/);
  assert.equal(await sofie.isChecked(), true, 'pre-filled from the answer');
  await fac.getByLabel('Verslag', { exact: true }).fill('We bespraken **een casus** over schoolgaan.');
  await fac.getByRole('button', { name: 'Bewaar aanwezigheid en verslag' }).click();
  await fac.getByRole('status').filter({ hasText: 'Aanwezigheid en verslag zijn bewaard.' }).waitFor();
  assert.ok(await fac.locator('.prose strong', { hasText: 'een casus' }).isVisible());
  await check(fac, 'session page after the meeting');

  // The coach's hours for that year: two hours.
  await coach.goto(`${kring.base}/sessions/hours?year=${year}`);
  await coach.getByRole('heading', { name: `Mijn intervisie-uren ${year}` }).waitFor();
  assert.ok(await coach.getByRole('cell', { name: TITLE }).isVisible());
  assert.equal((await coach.locator('tfoot td').textContent()).trim(), '2,0');
  await check(coach, 'hours page');
  const csv = await coach.evaluate(async (url) => (await fetch(url)).text(), `/sessions/hours.csv?year=${year}`);
  assert.match(csv, new RegExp(TITLE.replace(/[()]/g, '\\$&')));
  assert.match(csv, /"2,00"/);

  await facCtx.close();
  await coachCtx.close();
});

test('a facilitator copies a shipped method and adapts it; bad input keeps what was typed', async () => {
  const ctx = await newContext();
  const page = await ctx.newPage();
  await signIn(page, 'facilitator@kring.demo');
  await page.goto(kring.base + '/networks/lerend-netwerk-baldemore/sessions');
  await page.getByRole('link', { name: 'Intervisiemethodes van dit netwerk' }).click();
  await page.getByRole('heading', { name: 'Intervisiemethodes', exact: true }).waitFor();
  await check(page, 'methods page');
  await page
    .getByRole('region', { name: 'Incidentmethode' })
    .getByRole('button', { name: 'Kopieer en pas aan voor dit netwerk' })
    .click();
  await page.getByRole('heading', { name: 'Methode aanpassen' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Een kopie staat klaar' }).waitFor();
  await check(page, 'method form');
  assert.equal(await page.getByLabel('Naam van de methode').inputValue(), 'Incidentmethode');
  assert.equal(await page.locator('#phase-0-name').inputValue(), 'Inbreng');

  await page.getByLabel('Naam van de methode').fill('Incidentmethode Kempen');
  // A seventh phase, with a bad duration first.
  await page.locator('#phase-6-name').fill('Koffie en nabespreking');
  await page.locator('#phase-6-minutes').fill('0');
  await page.getByRole('group', { name: 'Fase 7' }).getByLabel('Deelnemers').check();
  await page.getByRole('button', { name: 'Bewaar de methode' }).click();
  await page.getByRole('alert').filter({ hasText: 'Minuten per fase' }).waitFor();
  assert.equal(await page.getByLabel('Naam van de methode').inputValue(), 'Incidentmethode Kempen');
  assert.equal(await page.locator('#phase-6-name').inputValue(), 'Koffie en nabespreking');
  assert.equal(await page.getByRole('group', { name: 'Fase 7' }).getByLabel('Deelnemers').isChecked(), true);
  await page.locator('#phase-6-minutes').fill('10');
  // Dropping a phase: its name left empty.
  await page.locator('#phase-5-name').fill('');
  await page.getByRole('button', { name: 'Bewaar de methode' }).click();
  await page.getByRole('status').filter({ hasText: 'De methode is bewaard.' }).waitFor();
  const own = page.getByRole('region', { name: 'Incidentmethode Kempen' });
  assert.ok(await own.getByText('Van dit netwerk').isVisible());
  assert.equal(await own.locator('ol.phases li').count(), 6);
  assert.match(await own.locator('ol.phases li').last().textContent(), /Koffie en nabespreking · 10 min/);
  // The shipped method is unchanged.
  assert.equal(
    await page.getByRole('region', { name: 'Incidentmethode', exact: true }).locator('ol.phases li').count(),
    6,
  );
  await ctx.close();
});
