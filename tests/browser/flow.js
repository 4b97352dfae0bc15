// The two-node aid flow in a real browser: on node A an IT lead offers 3
// laptops and edits the offer once; on node B a requester asks for 5; the request appears on A's
// Lagebild without a reload; A pledges 3; B accepts; both request pages
// show the mission order and 2 still open. A screenshot of every step goes
// to $SHOTS. Run by node/tests/browser.rs, which starts the nodes.
const { chromium } = require('playwright-core');

const { A_URL, B_URL, IT_LEAD_PASSWORD, REQUESTER_PASSWORD, SHOTS } = process.env;
const TITLE = 'Browser-Test: 5 Notebooks für den Notbetrieb';
let step = 0;

async function shot(page, name) {
  step += 1;
  const file = `${SHOTS}/${String(step).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  console.log(`step ${step}: ${name} -> ${file}`);
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

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const a = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const b = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await login(a, A_URL, 'it-leitung', IT_LEAD_PASSWORD);
  await login(b, B_URL, 'anfrage', REQUESTER_PASSWORD);

  // A's IT lead offers 3 laptops (the form of the kind chosen with ?art=).
  await a.goto(A_URL + '/ressourcen?art=equipment');
  await a.fill('#title', '3 Notebooks (Browser-Test)');
  await a.fill('#contact_phone', '+49 30 23125 999');
  await a.fill('#contact_email', 'it-notfall@a.example');
  await a.selectOption('#category', 'laptop');
  await a.fill('#quantity', '3');
  await a.fill('#location', 'Lager Heppenheim');
  await a.fill('#transport', 'Abholung');
  await submit(a, '/ressourcen');
  await shot(a, 'A-offers-3-laptops');
  expect((await a.content()).includes('3 Notebooks (Browser-Test)'), 'the offer is listed on A');

  // A edits the offer once: the form comes prefilled.
  await Promise.all([a.waitForLoadState('load'), a.click('a[href$="/bearbeiten"]')]);
  expect(await a.inputValue('#location') === 'Lager Heppenheim', 'the edit form is prefilled');
  await shot(a, 'A-edit-form');
  await a.fill('#title', '3 Notebooks, sauber (Browser-Test)');
  await Promise.all([a.waitForLoadState('load'), a.locator('form[data-testid=offer-form] button[type=submit]').click()]);
  expect(a.url() === A_URL + '/ressourcen', 'back on Ressourcen after saving');
  expect((await a.content()).includes('3 Notebooks, sauber (Browser-Test)'), 'the edited offer is listed on A');

  // A watches its Lagebild; a marker shows whether the page was reloaded.
  await a.goto(A_URL + '/');
  await a.evaluate(() => { window.__notReloaded = true; });
  await shot(a, 'A-lagebild-before');

  // B's requester asks for 5 laptops.
  await b.goto(B_URL + '/anfordern');
  await b.fill('#title', TITLE);
  await b.selectOption('#need0_kind', 'equipment');
  await b.selectOption('#need0_category', 'laptop');
  await b.fill('#need0_quantity', '5');
  await submit(b, '/anfordern');
  await shot(b, 'B-requests-5-laptops');

  // The request appears on A without a reload.
  await a.waitForSelector(`text=${TITLE}`, { timeout: 30000 });
  expect(await a.evaluate(() => window.__notReloaded === true), 'A\'s page was reloaded');
  await shot(a, 'A-sees-the-request-live');

  // A pledges 3.
  await Promise.all([a.waitForLoadState('load'), a.click(`text=${TITLE}`)]);
  const requestUrl = a.url();
  const pledgeForm = a.locator('form[action$="/zusage"]').first();
  await pledgeForm.locator('input[name=quantity]').fill('3');
  await Promise.all([a.waitForLoadState('load'), pledgeForm.locator('button[type=submit]').click()]);
  await shot(a, 'A-pledged-3');

  // B accepts the pledge (waiting for it to arrive).
  const bRequestUrl = B_URL + new URL(requestUrl).pathname;
  await b.goto(bRequestUrl);
  const acceptForm = b.locator('form[action$="/annahme"]').first();
  await acceptForm.waitFor({ timeout: 30000 });
  await Promise.all([b.waitForLoadState('load'), acceptForm.locator('button[type=submit]').click()]);
  await shot(b, 'B-accepted');

  // Both show the mission order and 2 still open.
  for (const [page, url, name] of [[b, bRequestUrl, 'B'], [a, requestUrl, 'A']]) {
    let text = '';
    let orders = 0;
    for (let tries = 0; tries < 60; tries += 1) {
      await page.goto(url);
      text = await page.innerText('main');
      orders = await page.locator('[data-testid=mission-order]').count();
      if (text.includes('Noch offen: 2') && orders === 1) break;
      await page.waitForTimeout(500);
    }
    expect(text.includes('Noch offen: 2'), `${name} shows 2 still open`);
    expect(orders === 1, `${name} shows the mission order (found ${orders})`);
    await shot(page, `${name}-mission-order-2-open`);
  }
  await browser.close();
  console.log('browser flow passed');
})().catch((error) => { console.error(error); process.exit(1); });
