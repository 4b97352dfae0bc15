// The posture review in a real browser, on two nodes. On node A (the
// served member) the IT lead saves and submits a self-assessment; on node
// B the joint security officer returns it with a comment on a question;
// A fixes and resubmits; B accepts; A's page shows the baseline and, after
// one more edit, the delta. Every page visited: axe-core's WCAG 2.1 A and
// AA rules and no sideways scrolling at 360 px or 200 % zoom (any problem
// fails the run). Screenshots go to $SHOTS. Run by node/tests/browser.rs.
const { chromium } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');

const { A_URL, B_URL, MEMBER_A, IT_LEAD_PASSWORD, OFFICER_PASSWORD, SHOTS, CHROMIUM } = process.env;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };
const ZOOM_200 = { width: DESKTOP.width / 2, height: DESKTOP.height / 2 };
const COMMENT = 'Bitte den Nachweis der Rücksicherung beifügen';

let step = 0;
const checked = [];

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(page, name) {
  step += 1;
  const file = `${SHOTS}/${String(step).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  console.log(`step ${step}: ${name} -> ${file}`);
}

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

async function check(page, name) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const reflow = [];
  for (const [label, size] of [['360px', PHONE], ['200%', ZOOM_200]]) {
    await page.setViewportSize(size);
    const { over, widest } = await sidewaysOverflow(page);
    if (over > 0) reflow.push(`${label}: scrolls ${over}px sideways (${widest.join(', ')})`);
  }
  await page.setViewportSize(DESKTOP);
  console.log(`axe: ${name}: ${results.violations.length} violations (${results.passes.length} rules passed); reflow: ${reflow.length ? reflow.join('; ') : 'ok'}`);
  for (const violation of results.violations) {
    console.log(`  ${violation.id} (${violation.impact}): ${violation.help}`);
    for (const node of violation.nodes.slice(0, 5)) console.log(`    at ${node.target.join(' ')}: ${node.failureSummary.replace(/\n/g, ' ')}`);
  }
  for (const problem of reflow) console.log(`  reflow ${problem}`);
  checked.push({ name, violations: results.violations.length, reflow: reflow.length });
  await shot(page, name.replace(/[^a-z0-9]+/gi, '-'));
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

// Reloads until `ready()` holds: what the other node writes arrives by sync.
async function reloadUntil(page, url, ready, what) {
  const started = Date.now();
  const deadline = started + 60000;
  for (;;) {
    await page.goto(url);
    if (await ready()) {
      console.log(`arrived: ${what} after ${Date.now() - started} ms`);
      return true;
    }
    if (Date.now() > deadline) return false;
    await page.waitForTimeout(500);
  }
}

async function text(page, selector) {
  return (await page.locator(selector).count()) ? page.innerText(selector) : '';
}

(async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const a = await (await browser.newContext({ viewport: DESKTOP, locale: 'en-US' })).newPage();
  const b = await (await browser.newContext({ viewport: DESKTOP, locale: 'en-US' })).newPage();
  const own = A_URL + '/sicherheitslage';
  const detail = `${B_URL}/isb/${MEMBER_A}`;

  // A's IT lead fills in two answers and submits revision 1.
  await login(a, A_URL, 'it-leitung', IT_LEAD_PASSWORD);
  await a.locator('header a[href="/sicherheitslage"]').click();
  await a.waitForSelector('#posture-form');
  await check(a, 'Sicherheitslage (empty)');
  await a.selectOption('#a_wiba_01_01', 'yes');
  await a.fill('#n_wiba_01_01', 'Konzept liegt vor');
  await a.selectOption('#a_wiba_01_02', 'no');
  await a.selectOption('#bcms_stage', 'reactive');
  await a.check('#rf_mfa_remote_access');
  await submit(a, '/sicherheitslage');
  expect((await a.inputValue('#n_wiba_01_01')) === 'Konzept liegt vor', 'the note is saved');
  await submit(a, '/sicherheitslage/einreichen');
  expect((await text(a, '#posture-status')).includes('eingereicht'), 'revision 1 is submitted');
  await check(a, 'Sicherheitslage (submitted)');

  // The officer on B sees it waiting and returns it with a comment.
  await login(b, B_URL, 'isb', OFFICER_PASSWORD);
  const arrived = await reloadUntil(b, B_URL + '/isb', async () => (await text(b, 'main')).includes('wartet auf Prüfung'), 'submission at the officer');
  expect(arrived, 'the submission reaches the officer on B');
  await check(b, 'ISB-Arbeitsplatz');
  await b.locator(`a[href="/isb/${MEMBER_A}"]`).click();
  await b.waitForSelector('#review-form');
  await check(b, 'ISB member detail');
  await b.check('#verdict-return');
  await b.selectOption('#cq0', 'wiba_01_02');
  await b.fill('#ct0', COMMENT);
  await submit(b, `/isb/${MEMBER_A}/pruefung`);
  expect((await text(b, '#posture-status')).includes('zurückgegeben'), 'the officer sees it returned');

  // A sees the comment, fixes the answer and submits revision 2.
  const returned = await reloadUntil(a, own, async () => (await text(a, '#review-comments')).includes(COMMENT), 'returned review at the member');
  expect(returned, 'the comment reaches A');
  await check(a, 'Sicherheitslage (returned)');
  await a.selectOption('#a_wiba_01_02', 'yes');
  await submit(a, '/sicherheitslage');
  await submit(a, '/sicherheitslage/einreichen');
  expect((await text(a, '#posture-status')).includes('Revision 2'), 'revision 2 is submitted');

  // The officer accepts revision 2.
  const second = await reloadUntil(b, detail, async () => (await text(b, '#posture-status')).includes('Revision 2'), 'resubmission at the officer');
  expect(second, 'revision 2 reaches the officer');
  await b.check('#verdict-accept');
  await submit(b, `/isb/${MEMBER_A}/pruefung`);
  expect((await text(b, '#posture-status')).includes('angenommen'), 'the officer sees it accepted');

  // A sees the baseline; one more edit shows the delta.
  const accepted = await reloadUntil(a, own, async () => (await text(a, '#baseline')).includes('Revision 2'), 'acceptance at the member');
  expect(accepted, 'the acceptance reaches A');
  await a.selectOption('#a_wiba_01_01', 'no');
  await submit(a, '/sicherheitslage');
  const delta = await text(a, '#delta');
  expect(delta.includes('wiba_01_01') && delta.includes('ja') && delta.includes('nein'), `the delta shows the changed answer (${delta})`);
  expect((await text(a, '#signature-list')).split('\n').length >= 4, 'both signatures of both rounds are listed');
  await check(a, 'Sicherheitslage (baseline and delta)');
  await browser.close();

  const failed = checked.filter((c) => c.violations > 0 || c.reflow > 0);
  console.log(`accessibility: ${checked.length} pages checked, ${checked.reduce((n, c) => n + c.violations, 0)} violations, ${checked.reduce((n, c) => n + c.reflow, 0)} reflow problems`);
  expect(failed.length === 0, `accessibility problems on: ${failed.map((c) => c.name).join('; ')}`);
  console.log('posture browser flow passed');
})().catch((error) => { console.error(error); process.exit(1); });
