// The library end to end: a newcomer without an account searches with a
// typo (results follow the typing), filters by theme and opens a public
// practice; a coach writes a practice with a table (the preview follows
// the typing), edits it, reads the diff and restores the first version.
// axe (0 violations) and 360 px on every page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startKring,
  launchBrowser,
  waitForHydration,
  checkPage,
  signIn,
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

const check = checkPage;

test('a newcomer searches with a typo, filters by theme and opens a practice', async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(kring.base + '/library');
  await page.getByRole('heading', { name: 'Bibliotheek' }).waitFor();
  await waitForHydration(page);
  await check(page, 'library');
  const count = page.getByTestId('result-count');
  assert.match(await count.innerText(), /^60 resultaten/);

  // Search as you type, with a typo: the results change without a reload.
  await page.getByLabel('Zoekwoorden').fill('huisvesing');
  await page.waitForFunction(() => !/^60 /.test(document.querySelector('[data-testid=result-count]').innerText));
  assert.match(await count.innerText(), /^\d+ resultaten/);
  assert.ok((await page.locator('.results .snippet b').count()) > 0, 'the matches are highlighted');

  // The plain form submits too (and is what works without JavaScript).
  await page.getByRole('button', { name: 'Zoeken' }).click();
  await page.waitForURL(/q=huisvesing/);
  await page.locator('.search-facets').getByRole('link', { name: /^Huisvesting \(\d+\)$/ }).click();
  await page.waitForURL(/theme=huisvesting/);
  const marked = page.locator('.facets a[aria-current="true"]');
  assert.match(await marked.innerText(), /Huisvesting/);
  await check(page, 'library filtered');

  const first = page.locator('.results .result h2 a').first();
  const title = await first.innerText();
  await first.click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  assert.ok(await page.getByRole('link', { name: 'Huisvesting' }).first().isVisible());
  await check(page, 'practice');
  await context.close();
});

test('a coach writes a practice with a table, edits it, compares and restores', async () => {
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page, kring.base, 'coordinator.leuven@kring.demo');

  await page.goto(kring.base + '/library');
  await page.getByRole('link', { name: 'Nieuwe praktijk' }).click();
  await page.getByRole('heading', { name: 'Nieuwe praktijk' }).waitFor();
  await waitForHydration(page);
  await page.getByLabel('Titel').fill('Fietsherstel met buren');
  await page.getByLabel('Samenvatting').fill('Een fietsatelier waar gezinnen samen fietsen herstellen.');
  const body = '## Aanpak\n\n| Stap | Wie |\n|---|---|\n| Fietsen inzamelen | buurtwerk |\n| Samen herstellen | vrijwilligers |';
  await page.getByLabel('Tekst', { exact: true }).fill(body);
  // The preview is the server's rendering of what is typed.
  await page.getByTestId('preview').locator('table').waitFor();
  await page.getByLabel('Mobiliteit').check();
  await page.getByLabel('Gemeenten').fill('Leuven');
  await check(page, 'new practice');
  await page.getByRole('button', { name: 'Publiceren' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fietsherstel met buren' }).waitFor();
  assert.ok(await page.getByRole('cell', { name: 'Samen herstellen' }).isVisible(), 'the table is shown');
  await check(page, 'written practice');

  await page.getByRole('link', { name: 'Bewerken' }).click();
  await page.getByRole('heading', { name: 'Praktijk bewerken' }).waitFor();
  await page.getByLabel('Tekst', { exact: true }).fill(body + '\n\nNieuw: elke zaterdag open.');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.getByText('Nieuw: elke zaterdag open.').waitFor();

  await page.getByRole('link', { name: 'Geschiedenis' }).click();
  await page.getByRole('heading', { name: /Wijzigingen van versie 1 naar versie 2/ }).waitFor();
  assert.match(await page.locator('.diff .added').first().innerText(), /elke zaterdag open/);
  await check(page, 'history');
  await page.getByRole('button', { name: 'Versie 1 terugzetten' }).click();
  await page.getByRole('heading', { name: /Wijzigingen van versie 2 naar versie 3/ }).waitFor();
  await page.getByRole('link', { name: 'Terug naar de praktijk' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fietsherstel met buren' }).waitFor();
  assert.equal(await page.getByText('Nieuw: elke zaterdag open.').count(), 0, 'version 1 is back');
  assert.ok(await page.getByText(/Versie 3/).isVisible());
  await context.close();
});
