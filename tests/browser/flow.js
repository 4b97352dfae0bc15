// The two-node aid flow in a real browser, and the accessibility checks on
// every page it visits. On node A an IT lead offers 3 laptops (keyboard
// only) and edits the offer once (mouse); on node B a requester (keyboard
// only: no click, no fill) logs in, asks for 5, and later accepts; the
// request appears on A's Lagebild without a reload, announced politely,
// without moving A's focus; A pledges 3 by keyboard; both request pages
// show the mission order and 2 still open; B logs out by keyboard.
//
// On every page: axe-core's WCAG 2.1 A and AA rules (the count of
// violations is printed per page; any violation fails the run), and no
// sideways scrolling at 360 px wide or at 200 % zoom. B also opens an
// incident room, ticks a step, writes a timeline entry and marks the GDPR
// report as sent. An exercise runs from request to its closed mission
// order and its after-action report is read. Screenshots of every
// step, and of the Lagebild and the request form at 360 px and 200 % zoom,
// go to $SHOTS. Run by node/tests/browser.rs, which starts the nodes.
const { chromium } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');
const keys = require('./keyboard');

const { A_URL, B_URL, C_URL, IT_LEAD_PASSWORD, REQUESTER_PASSWORD, ADMIN_PASSWORD, BYSTANDER_PASSWORD, A_CONTACT, SHOTS, CHROMIUM } = process.env;
const TITLE = 'Browser-Test: 5 Notebooks für den Notbetrieb';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// Window sizes: a desktop, a small phone, and the desktop at 200 % zoom
// (the same CSS width as the desktop window zoomed to 200 %).
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };
const ZOOM_200 = { width: DESKTOP.width / 2, height: DESKTOP.height / 2 };
const OFFER_KINDS = ['person', 'remote_capacity', 'equipment', 'team_package', 'service_relocation'];

let step = 0;
const checked = [];

async function shot(page, name) {
  step += 1;
  const file = `${SHOTS}/${String(step).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  console.log(`step ${step}: ${name} -> ${file}`);
}

// How far the page scrolls sideways at the current width, and the widest
// elements inside <main> (to say what to fix).
async function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const over = root.scrollWidth - root.clientWidth;
    const widest = [...document.querySelectorAll('main *, header *')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + el.className : ''}`);
    return { over, widest };
  });
}

// axe-core on the page as it is, then the reflow check at 360 px and at
// 200 % zoom; the page is back at the desktop size afterwards.
async function check(page, name) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations;
  const reflow = [];
  for (const [label, size] of [['360px', PHONE], ['200%', ZOOM_200]]) {
    await page.setViewportSize(size);
    const { over, widest } = await sidewaysOverflow(page);
    if (over > 0) reflow.push(`${label}: scrolls ${over}px sideways (${widest.join(', ')})`);
  }
  await page.setViewportSize(DESKTOP);
  console.log(`axe: ${name}: ${violations.length} violations (${results.passes.length} rules passed); reflow: ${reflow.length ? reflow.join('; ') : 'ok'}`);
  for (const violation of violations) {
    console.log(`  ${violation.id} (${violation.impact}): ${violation.help}`);
    for (const node of violation.nodes.slice(0, 5)) console.log(`    at ${node.target.join(' ')}: ${node.failureSummary.replace(/\n/g, ' ')}`);
  }
  for (const problem of reflow) console.log(`  reflow ${problem}`);
  checked.push({ name, violations: violations.length, reflow: reflow.length });
}

async function login(page, base, account, password) {
  await page.goto(base + '/anmelden');
  await page.fill('#account', account);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(base + '/'), page.press('#password', 'Enter')]);
}

async function submit(page, formAction) {
  await Promise.all([page.waitForLoadState('load'), page.locator(`form[action="${formAction}"] button[type=submit]`).click()]);
}

// Loads `url` on `page` again and again until `ready()` holds (what the
// other node writes arrives by sync, a page does not wait for it), for at
// most a minute however slow each load is; whether it came to hold.
async function reloadUntil(page, url, ready) {
  const deadline = Date.now() + 60000;
  for (;;) {
    await page.goto(url);
    if (await ready()) return true;
    if (Date.now() > deadline) return false;
    await page.waitForTimeout(500);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// An accessibility requirement that failed: noted, printed, and the run
// fails at its end (so one run shows every problem, not just the first).
const problems = [];
function require11y(condition, message) {
  if (condition) return;
  problems.push(message);
  console.log(`PROBLEM: ${message}`);
}

// A context of its own with a window of `viewport` and `scale` device pixels
// per CSS pixel (2 with half the width is a window zoomed to 200 %).
async function contextPage(browser, viewport, scale) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: scale, locale: 'en-US' });
  return context.newPage();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // English browser locale: the German pages must still show TT.MM.JJJJ.
  const a = await contextPage(browser, DESKTOP, 1);
  const b = await contextPage(browser, DESKTOP, 1);

  await a.goto(A_URL + '/anmelden');
  await check(a, 'login');
  await a.goto(A_URL + '/barrierefreiheit');
  await check(a, 'accessibility statement (no login)');
  expect((await a.innerText('main')).includes('Erklärung zur Barrierefreiheit'), 'the statement is shown without login');
  const contact = await a.innerText('[data-testid=statement-contact]');
  expect(contact === A_CONTACT, `the statement names the configured contact (shows "${contact}")`);
  await shot(a, 'A-accessibility-statement');
  // The login page links to it.
  await a.goto(A_URL + '/anmelden');
  expect(await a.locator('a[href="/barrierefreiheit"]').count() === 1, 'the login page links to the statement');
  await login(a, A_URL, 'it-leitung', IT_LEAD_PASSWORD);
  await check(a, 'Lagebild (empty)');

  // B's requester logs in with the keyboard only, through the skip link.
  await keys.login(b, B_URL, 'anfrage', REQUESTER_PASSWORD);
  try {
    await keys.skipLink(b);
    console.log('keyboard: B logged in and used the skip link');
  } catch (error) {
    require11y(false, error.message);
  }

  // A's IT lead opens the form of every offer kind.
  for (const kind of OFFER_KINDS) {
    await a.goto(`${A_URL}/ressourcen?art=${kind}`);
    await check(a, `Ressourcen (${kind})`);
  }
  // … and offers 3 laptops, keyboard only.
  await a.goto(A_URL + '/ressourcen?art=equipment');
  const validFrom = await a.inputValue('#valid_from');
  require11y(/^\d{2}\.\d{2}\.\d{4}$/.test(validFrom), `"valid from" shows TT.MM.JJJJ in an English browser (shows ${validFrom})`);
  await keys.type(a, '#title', '3 Notebooks (Browser-Test)');
  await keys.type(a, '#contact_phone', '+49 30 23125 999');
  await keys.type(a, '#contact_email', 'it-notfall@a.example');
  await keys.choose(a, '#category', 'laptop');
  await keys.type(a, '#quantity', '3');
  await keys.type(a, '#location', 'Lager Heppenheim');
  await keys.type(a, '#transport', 'Abholung');
  await keys.type(a, '#valid_until', '31.12.2099');
  await keys.enter(a, '#valid_until');
  await shot(a, 'A-offers-3-laptops');
  expect((await a.content()).includes('3 Notebooks (Browser-Test)'), 'the offer is listed on A');
  await check(a, 'Ressourcen (own offer listed)');

  // A edits the offer once: the form comes prefilled, dates as TT.MM.JJJJ.
  await Promise.all([a.waitForLoadState('load'), a.click('a[href$="/bearbeiten"]')]);
  expect(await a.inputValue('#location') === 'Lager Heppenheim', 'the edit form is prefilled');
  const validUntil = await a.inputValue('#valid_until');
  require11y(validUntil === '31.12.2099', `the edit form shows "valid until" as TT.MM.JJJJ (shows ${validUntil})`);
  await shot(a, 'A-edit-form');
  await check(a, 'edit page');
  await a.fill('#title', '3 Notebooks, sauber (Browser-Test)');
  await Promise.all([a.waitForLoadState('load'), a.locator('form[data-testid=offer-form] button[type=submit]').click()]);
  expect(a.url() === A_URL + '/ressourcen', 'back on Ressourcen after saving');
  expect((await a.content()).includes('3 Notebooks, sauber (Browser-Test)'), 'the edited offer is listed on A');

  // The register with a result, searched by a German date.
  await a.goto(A_URL + '/register?kind=equipment&from=01.01.2030');
  expect((await a.innerText('main')).includes('3 Notebooks, sauber (Browser-Test)'), 'the register finds the offer');
  await check(a, 'Register (with results)');
  // The registry as CSV from the page's download link: German headers,
  // semicolons, a byte order mark, and the offer as one row.
  const [download] = await Promise.all([
    a.waitForEvent('download'),
    a.click('a[href="/api/exports/registry.csv"]'),
  ]);
  const csv = require('fs').readFileSync(await download.path(), 'utf8');
  expect(download.suggestedFilename().startsWith('amtshilfe-register-'), `the CSV's file name (${download.suggestedFilename()})`);
  expect(csv.startsWith('\ufeffMitglied;Mitglieds-ID;Angebots-ID;Art;Titel;Status;Anzahl'), `the CSV's header (${csv.split('\r\n')[0]})`);
  const row = csv.split('\r\n').find((line) => line.includes('3 Notebooks, sauber (Browser-Test)'));
  expect(row !== undefined && row.split(';')[3] === 'equipment', `the offer is a row of the CSV (${row})`);
  await a.goto(A_URL + '/netzwerk');
  await check(a, 'Netzwerk');

  // A watches its Lagebild with the focus on a link; a marker shows
  // whether the page was reloaded.
  await a.goto(A_URL + '/');
  await a.evaluate(() => { window.__notReloaded = true; });
  await a.focus('header nav a[href="/register"]');
  await shot(a, 'A-lagebild-before');

  // B asks for 5 laptops, keyboard only.
  await keys.follow(b, 'header nav a[href="/anfordern"]');
  await check(b, 'Hilfe anfordern');
  const start = await b.inputValue('#start');
  require11y(/^\d{2}\.\d{2}\.\d{4}$/.test(start), `"needed from" shows TT.MM.JJJJ in an English browser (shows ${start})`);
  await keys.type(b, '#title', TITLE);
  await keys.choose(b, '#need0_kind', 'equipment');
  await keys.choose(b, '#need0_category', 'laptop');
  await keys.replace(b, '#need0_quantity', '5');
  await keys.replace(b, '#end', '31.12.2099');
  await keys.enter(b, '#need0_quantity');
  expect((await b.innerText('main')).includes(TITLE), 'B\'s request page shows the new request');
  await shot(b, 'B-requests-5-laptops');

  // The request appears on A without a reload, the status line announces
  // it politely, and A's focus stays where it was.
  await a.waitForSelector(`text=${TITLE}`, { timeout: 30000 });
  expect(await a.evaluate(() => window.__notReloaded === true), 'A\'s page was reloaded');
  const live = await a.evaluate(() => {
    const status = document.getElementById('live-status');
    return {
      focus: document.activeElement && document.activeElement.getAttribute('href'),
      polite: status && status.getAttribute('aria-live'),
      said: status ? status.textContent : '',
    };
  });
  require11y(live.focus === '/register', `the live update moved A's focus (now on ${live.focus})`);
  require11y(live.polite === 'polite' && /\d{1,2}:\d{2}/.test(live.said), `the live update is announced politely (said "${live.said}")`);
  console.log(`live: announced "${live.said}", focus stayed on ${live.focus}`);
  await shot(a, 'A-sees-the-request-live');
  await check(a, 'Lagebild (with the request)');

  // B watches its Lagebild with the focus on the request's link, inside a
  // section that live updates replace: A's pledge must not take it away.
  await b.goto(B_URL + '/');
  await keys.tabTo(b, `#open-requests a:text("${TITLE}")`);
  const saidBefore = await b.textContent('#live-status');

  // A pledges 3, keyboard only.
  await keys.follow(a, `main a:text("${TITLE}")`);
  const requestUrl = a.url();
  await check(a, 'request page (before the pledge)');
  const quantity = 'form[action$="/zusage"] input[name=quantity]';
  await keys.replace(a, quantity, '3');
  await keys.enter(a, quantity);
  await shot(a, 'A-pledged-3');
  await b.waitForFunction((before) => document.getElementById('live-status').textContent !== before, saidBefore, { timeout: 30000 });
  const bFocus = await b.evaluate(() => {
    const el = document.activeElement;
    return { tag: el ? el.tagName.toLowerCase() : 'nothing', text: el ? el.textContent.slice(0, 60) : '' };
  });
  require11y(bFocus.tag === 'a' && bFocus.text === TITLE, `a live update on B's Lagebild moved the focus away from the request's link (now on ${bFocus.tag})`);

  // B accepts the pledge (waiting for it to arrive), keyboard only.
  const bRequestUrl = B_URL + new URL(requestUrl).pathname;
  expect(await reloadUntil(b, bRequestUrl, async () => await b.locator('form[action$="/annahme"]').count() > 0), 'A\'s pledge reaches B\'s request page');
  await check(b, 'request page (with a pledge)');
  await keys.enter(b, 'form[action$="/annahme"] button[type=submit]');
  await shot(b, 'B-accepted');

  // Both show the mission order and 2 still open.
  for (const [page, url, name] of [[b, bRequestUrl, 'B'], [a, requestUrl, 'A']]) {
    let text = '';
    let orders = 0;
    await reloadUntil(page, url, async () => {
      text = await page.innerText('main');
      orders = await page.locator('[data-testid=mission-order]').count();
      return text.includes('Noch offen: 2') && orders === 1;
    });
    expect(text.includes('Noch offen: 2'), `${name} shows 2 still open`);
    expect(orders === 1, `${name} shows the mission order (found ${orders})`);
    await shot(page, `${name}-mission-order-2-open`);
    await check(page, `request page with the mission order (${name})`);
  }

  // The printable mission order, linked from the request page, in both
  // languages: both parties and the signing keys, and no violations.
  await b.goto(bRequestUrl);
  const printHref = await b.locator('[data-testid=mission-order] a[data-testid=print-link]').getAttribute('href');
  await b.goto(B_URL + printHref);
  const printed = await b.innerText('main');
  expect(printed.includes('Anfordernde Stelle') && printed.includes('Zusage signiert von Gerät'), 'the printable mission order shows the order and the signing keys');
  await shot(b, 'B-mission-order-print');
  await check(b, 'printable mission order');
  await b.goto(B_URL + printHref + '?lang=en');
  await check(b, 'printable mission order (English)');
  // The language choice sticks (a cookie); back to German for what follows.
  await b.goto(B_URL + printHref + '?lang=de');
  // B's incident room: opened with awareness 10 hours ago, the GDPR clock
  // shows about 62 hours left; a step is ticked, a timeline entry written,
  // the GDPR report completed and marked as sent, and printed.
  const berlin = (ms) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' }).replace(' ', 'T').slice(0, 16);
  await b.goto(B_URL + '/vorfaelle');
  await check(b, 'Vorfälle (empty)');
  await b.fill('#title', 'Browser-Test: Ransomware im Rathaus');
  await b.fill('#aware', berlin(Date.now() - 10 * 3600 * 1000));
  await b.fill('#services', 'Meldewesen, Kfz-Zulassung');
  await b.check(`form[action="/vorfaelle"] label:text("${TITLE}")`);
  await Promise.all([b.waitForURL(/\/vorfaelle\/[0-9a-f]+\/i-/), b.locator('form[action="/vorfaelle"] button[type=submit]').click()]);
  const roomUrl = b.url();
  expect(/\/vorfaelle\/[0-9a-f]+\/i-/.test(roomUrl), `the new incident's room is shown (at ${roomUrl})`);
  const left = await b.innerText('[data-testid=clocks] tbody tr:first-child [data-testid=time-left]');
  expect(/^(61 h [45]\d|62 h 0) min$/.test(left), `the GDPR clock shows about 62 hours left (shows "${left}")`);
  await shot(b, 'B-incident-room');
  await check(b, 'incident room');
  await b.selectOption('#state-isolate', 'done');
  await Promise.all([b.waitForEvent('load'), b.locator('#step-isolate button[type=submit]').click()]);
  expect((await b.innerText('#step-isolate [data-testid=step-state]')) === 'erledigt', 'the step is ticked');
  await b.fill('#line-text', 'Krisenstab einberufen, Netz getrennt');
  await Promise.all([b.waitForEvent('load'), b.locator('form[action$="/verlauf"] button[type=submit]').click()]);
  expect((await b.innerText('[data-testid=timeline]')).includes('Krisenstab einberufen, Netz getrennt'), 'the timeline shows the entry');
  // A TLP:AMBER entry: sealed to B, its helper A (accepted mission order)
  // and its officers; B reads it back, marked.
  const AMBER = 'Angreifer kam über den VPN-Zugang des Dienstleisters';
  await b.fill('#line-text', AMBER);
  await b.selectOption('#line-tlp', 'amber');
  await Promise.all([b.waitForEvent('load'), b.locator('form[action$="/verlauf"] button[type=submit]').click()]);
  const amberLine = b.locator('[data-testid=timeline] li[data-tlp=amber]');
  expect((await amberLine.innerText()).includes(AMBER), 'B reads its amber entry');
  expect((await amberLine.innerText()).includes('TLP:AMBER'), 'the entry is marked TLP:AMBER');
  const report = '[data-testid=report-gdpr_art33]';
  for (const field of await b.locator(`${report} textarea`).all()) {
    if ((await field.inputValue()).trim() === '') await field.fill('Angabe im Browser-Test');
  }
  await b.fill('#gdpr_art33-sent', berlin(Date.now() - 60 * 1000));
  await Promise.all([b.waitForEvent('load'), b.locator(`${report} button[type=submit]`).click()]);
  expect((await b.innerText(report)).includes('Gesendet am'), 'the report is marked as sent');
  expect((await b.innerText('[data-testid=clocks]')).includes('Gesendet'), 'its clock stopped');
  await shot(b, 'B-incident-report-sent');
  await check(b, 'incident room (worked)');
  await b.goto(roomUrl + '/meldungen/gdpr_art33/druck');
  expect((await b.innerText('[data-testid=report-print]')).includes('Angabe im Browser-Test'), 'the print view shows the report');
  await check(b, 'report print view');
  await b.goto(B_URL + '/vorfaelle');
  await check(b, 'Vorfälle (with the incident)');

  // The helper (A's IT lead) records hours and costs of the mission order
  // in B's room, once the incident has reached A; B confirms by closing
  // with the same figures.
  const aRoomUrl = A_URL + new URL(roomUrl).pathname;
  const settleForm = 'form[action*="/abrechnung/"]';
  expect(await reloadUntil(a, aRoomUrl, async () => await a.locator(settleForm).count() > 0), 'the incident reaches A with its settlement form');
  await check(a, 'incident room (helper)');
  expect(await reloadUntil(a, aRoomUrl, async () => (await a.innerText('[data-testid=timeline]')).includes(AMBER)), 'the helper A reads the amber entry');
  // C's member helps nobody: its node holds the entry sealed, its page
  // shows it as confidential, never the text.
  const c = await contextPage(browser, DESKTOP, 1);
  await login(c, C_URL, 'lage', BYSTANDER_PASSWORD);
  const cRoomUrl = C_URL + new URL(roomUrl).pathname;
  expect(await reloadUntil(c, cRoomUrl, async () => (await c.locator('[data-testid=timeline] li[data-tlp=amber]').count()) > 0), 'the amber entry reaches C');
  const cTimeline = await c.innerText('[data-testid=timeline]');
  expect(cTimeline.includes('vertraulich (TLP:AMBER) — nur für Helfer und ISB'), 'C sees the entry as confidential');
  expect(!(await c.content()).includes('VPN-Zugang'), 'C never sees the amber text');
  await shot(c, 'C-incident-room-non-helper');
  await check(c, 'incident room (non-helper)');
  await a.fill(`${settleForm} input[name=hours]`, '16');
  await a.fill(`${settleForm} input[name=euros]`, '240,50');
  await Promise.all([a.waitForEvent('load'), a.locator(`${settleForm} button[type=submit]`).click()]);
  expect((await a.innerText('[data-testid=settlement]')) === 'von der Helferseite erfasst', 'the helper\'s figures are recorded');
  const closeForm = 'form[action$="/status"]';
  expect(await reloadUntil(b, roomUrl, async () => (await b.innerText('[data-testid=settlement]')) === 'von der Helferseite erfasst'), 'the helper\'s figures reach B');
  expect(await b.inputValue(`${closeForm} input[name=hours]`) === '16', 'the close form carries the helper\'s hours');
  await Promise.all([b.waitForEvent('load'), b.locator(`${closeForm} button[type=submit]`).click()]);
  expect((await b.innerText('[data-testid=settlement]')) === 'bestätigt', 'the requester confirmed the figures');
  await shot(b, 'B-incident-mission-order-confirmed');
  await check(b, 'incident room (mission order confirmed)');

  // English pages too, and a refused form with its error.
  await b.goto(B_URL + '/?lang=en');
  await check(b, 'Lagebild (English)');
  await b.goto(B_URL + '/anfordern?lang=de');
  await b.fill('#title', 'Abgelehnt: Datum falsch');
  await b.evaluate(() => { document.getElementById('start').removeAttribute('pattern'); });
  await b.fill('#start', '31.02.2026');
  await submit(b, '/anfordern');
  expect(await b.locator('#form-error').count() === 1, 'a wrong date is refused with a message');
  await check(b, 'Hilfe anfordern (refused)');

  // The Lagebild and the request form at 360 px and at 200 % zoom.
  for (const [label, size, scale] of [['360px', PHONE, 1], ['zoom200', ZOOM_200, 2]]) {
    const page = await contextPage(browser, size, scale);
    await login(page, B_URL, 'anfrage', REQUESTER_PASSWORD);
    await page.goto(B_URL + '/');
    await shot(page, `B-lagebild-${label}`);
    await page.goto(B_URL + '/anfordern');
    await shot(page, `B-request-form-${label}`);
    await page.context().close();
  }

  // An exercise: B ticks "Übung" on the request form; the request's page
  // says ÜBUNG and links its after-action report; A's Lagebild lists it
  // with the badge. Then the pact's contact sheet and agreement pages.
  await b.goto(B_URL + '/anfordern?lang=de');
  await b.fill('#title', 'Alarmierungsübung Notbetrieb');
  await b.fill('#end', '31.12.2099');
  await b.check('#exercise');
  await submit(b, '/anfordern');
  expect(/\/anfragen\/[0-9a-f]+\/uebung-/.test(new URL(b.url()).pathname), `an exercise gets a marked id (at ${b.url()})`);
  expect(await b.locator('[data-testid="exercise"]').count() === 1, 'the exercise page says ÜBUNG');
  expect((await b.innerText('h1')).startsWith('ÜBUNG'), 'the exercise page title starts with ÜBUNG');
  await check(b, 'request page (exercise)');
  await b.locator('a[href$="/auswertung"]').click();
  await b.waitForSelector('[data-testid="after-action"]');
  expect((await b.innerText('[data-testid="not-answered"]')).includes('Kreis'), 'the after-action report names the members that did not answer');
  await check(b, 'after-action report');
  const drillUrl = b.url().replace(/\/auswertung$/, '');
  const reportUrl = b.url();

  // The exercise runs to its closed mission order: A pledges, B accepts,
  // B opens an exercise incident for it, A records the helper's hours,
  // B confirms them by closing the mission order.
  const aDrillUrl = A_URL + new URL(drillUrl).pathname;
  expect(await reloadUntil(a, aDrillUrl, async () => await a.locator('form[action$="/zusage"]').count() > 0), 'the exercise reaches A with its pledge form');
  expect((await a.innerText('h1')).startsWith('ÜBUNG'), 'A sees the exercise as ÜBUNG');
  await submit(a, new URL(aDrillUrl).pathname + '/zusage');
  expect(await reloadUntil(b, drillUrl, async () => await b.locator('form[action$="/annahme"]').count() > 0), 'A\'s pledge reaches B\'s exercise');
  await submit(b, new URL(drillUrl).pathname + '/annahme');
  expect(await b.locator('[data-testid=mission-order]').count() === 1, 'the exercise has its mission order');
  await b.goto(B_URL + '/vorfaelle');
  await b.fill('#title', 'Übung: Ausfall des Rechenzentrums');
  await b.fill('#aware', berlin(Date.now() - 3600 * 1000));
  await b.check('#incident-exercise');
  await b.check('form[action="/vorfaelle"] label:text("Alarmierungsübung Notbetrieb")');
  await Promise.all([b.waitForURL(/\/vorfaelle\/[0-9a-f]+\/uebung-/), b.locator('form[action="/vorfaelle"] button[type=submit]').click()]);
  const drillRoom = b.url();
  expect(await b.locator('[data-testid="exercise"]').count() === 1, 'the exercise room says ÜBUNG');
  await check(b, 'incident room (exercise)');
  const aDrillRoom = A_URL + new URL(drillRoom).pathname;
  expect(await reloadUntil(a, aDrillRoom, async () => await a.locator(settleForm).count() > 0), 'the exercise room reaches A with its settlement form');
  await a.fill(`${settleForm} input[name=hours]`, '4');
  await a.fill(`${settleForm} input[name=euros]`, '0');
  await Promise.all([a.waitForEvent('load'), a.locator(`${settleForm} button[type=submit]`).click()]);
  expect((await a.innerText('[data-testid=settlement]')) === 'von der Helferseite erfasst', 'the helper\'s hours of the exercise are recorded');
  expect(await reloadUntil(b, drillRoom, async () => (await b.innerText('[data-testid=settlement]')) === 'von der Helferseite erfasst'), 'the helper\'s hours reach B');
  await Promise.all([b.waitForEvent('load'), b.locator(`${closeForm} button[type=submit]`).click()]);
  expect((await b.innerText('[data-testid=settlement]')) === 'bestätigt', 'B closed the exercise\'s mission order');
  await shot(b, 'B-exercise-mission-order-closed');

  // The after-action report of the finished exercise.
  await b.goto(reportUrl);
  const orders = await b.innerText('[data-testid="orders"]');
  expect(orders === '1 / 1', `the report counts the closed mission order (shows "${orders}")`);
  const covered = await b.innerText('[data-testid="covered"]');
  expect(covered.startsWith('100,0 %'), `the report shows the need covered (shows "${covered}")`);
  expect((await b.innerText('[data-testid="to-first-pledge"]')) !== 'nie', 'the report times the first pledge');
  // A answered by its pledge; C, the bystander, never answered.
  const notAnswered = await b.innerText('[data-testid="not-answered"]');
  expect(!notAnswered.includes('Kreis Bergstraße') && notAnswered.includes('Zwingenberg'), `only the bystander C is left unanswered (shows "${notAnswered}")`);
  expect(await b.locator('[data-testid="contacts-failed"]').count() === 1, 'the report has its contacts that failed');
  await shot(b, 'B-after-action-report-closed');
  await check(b, 'after-action report (mission order closed)');
  await a.goto(A_URL + '/');
  await a.waitForSelector('[data-testid="exercise-badge"]', { timeout: 30000 });
  await check(a, 'Lagebild (with an exercise)');
  await a.goto(A_URL + '/pakt/kontakte');
  await check(a, 'contact sheet');
  await a.goto(A_URL + '/pakt/vereinbarung');
  await check(a, 'agreement');

  // B logs out, keyboard only.
  await b.goto(B_URL + '/');
  await keys.enter(b, 'header form[action="/abmelden"] button');
  expect(new URL(b.url()).pathname === '/anmelden', `B is logged out (at ${b.url()})`);
  console.log('keyboard: B logged out');

  // The administration page (an admin account on A).
  await a.goto(A_URL + '/');
  await Promise.all([a.waitForURL(A_URL + '/anmelden'), a.locator('header form[action="/abmelden"] button').click()]);
  await login(a, A_URL, 'verwaltung', ADMIN_PASSWORD);
  await a.goto(A_URL + '/verwaltung');
  await check(a, 'Verwaltung');
  // The admin's pact pages: the agreement with its change form, and the
  // member's own contacts, set from their form (which confirms them).
  await a.goto(A_URL + '/pakt/vereinbarung');
  expect(await a.locator('[data-testid="agreement-form"]').count() === 1, 'the admin sees the agreement form');
  await check(a, 'agreement (with the change form)');
  await a.goto(A_URL + '/pakt/kontakte/eigene');
  await check(a, 'own contacts');
  await a.fill('#primary_role', 'IT-Rufbereitschaft');
  await a.fill('#primary_phone', '+49 6252 15 0');
  await a.fill('#primary_email', 'ruf@a.example');
  await a.fill('#deputy_role', 'IT-Leitung');
  await a.fill('#deputy_phone', '+49 6252 15 1');
  await a.fill('#deputy_email', 'it@a.example');
  await a.fill('#ags', '06431');
  await submit(a, '/pakt/kontakte/eigene');
  expect(!(await a.innerText('[data-testid="own-contacts-state"]')).includes('nie'), 'the contacts are confirmed');
  await a.goto(A_URL + '/');
  expect(await a.locator('[data-testid="own-contacts-stale"]').count() === 0, 'the Lagebild no longer asks to confirm them');
  // The admin uploads a file that is no bundle on the Netzwerk page: the
  // page answers with the refusal and its reason, nothing applied.
  await a.goto(A_URL + '/netzwerk');
  await a.setInputFiles('#bundle-file', { name: 'kein.bundle', mimeType: 'application/octet-stream', buffer: Buffer.from('kein Bündel') });
  await Promise.all([a.waitForURL(A_URL + '/netzwerk/buendel'), a.click('#bundle button[type="submit"]')]);
  const refusal = await a.innerText('#bundle-result');
  expect(/nichts übernommen|nothing applied/.test(refusal) && refusal.includes('bundle'), `the upload's refusal is shown (${refusal})`);
  await check(a, 'Netzwerk (bundle upload refused)');

  // The Pakt page: members, officers, proposals and the node's own
  // devices with their revoke form.
  await a.goto(A_URL + '/pakt');
  expect(await a.locator('#h-devices').count() === 1, 'the Pakt page lists the own devices');
  await check(a, 'Pakt');
  await a.goto(A_URL + '/barrierefreiheit');
  await check(a, 'accessibility statement (logged in)');
  await browser.close();

  const failed = checked.filter((c) => c.violations > 0 || c.reflow > 0);
  console.log(`accessibility: ${checked.length} pages checked, ${checked.reduce((n, c) => n + c.violations, 0)} violations, ${checked.reduce((n, c) => n + c.reflow, 0)} reflow problems, ${problems.length} other problems`);
  expect(failed.length === 0 && problems.length === 0, `accessibility problems on: ${failed.map((c) => c.name).concat(problems).join('; ')}`);
  console.log('browser flow passed');
})().catch((error) => { console.error(error); process.exit(1); });
