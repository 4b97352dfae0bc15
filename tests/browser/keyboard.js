// Keyboard-only steps for flow.js: the page is driven by key presses alone
// (Tab, typing, arrow keys, Enter); the test only reads where the focus is.
// Every element the focus reaches on the way must show a visible focus
// indicator (an outline of at least 2 px), else the step fails.

// Most Tab presses to reach one element; a page with more tab stops than
// this before the element is itself a keyboard problem.
const TABS_MAX = 150;
// Most arrow presses to walk through a select's options.
const OPTIONS_MAX = 100;

async function focusShown(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { ok: true, what: 'body' };
    const style = getComputedStyle(el);
    const ok = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return { ok, what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.textContent || el.getAttribute('name') || '').trim().slice(0, 30)}"` };
  });
}

// Presses Tab until the element `selector` (any Playwright selector) has
// the focus.
// The element is looked up again after every press: a live update may
// have replaced it (with an equal one) meanwhile.
async function tabTo(page, selector) {
  const target = page.locator(selector).first();
  await target.waitFor({ state: 'attached' });
  for (let tabs = 0; tabs <= TABS_MAX; tabs += 1) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
    const shown = await focusShown(page);
    if (!shown.ok) throw new Error(`keyboard: the focus on ${shown.what} is not visible`);
  }
  throw new Error(`keyboard: ${selector} not reached with ${TABS_MAX} Tab presses`);
}

// Tabs to a text field, selects what it holds and types `text` over it.
async function type(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
  const value = await page.locator(selector).first().inputValue();
  if (value !== text) throw new Error(`keyboard: ${selector} holds "${value}", not "${text}"`);
}

// Tabs to a closed select and walks its options with the arrow keys until
// `value` is chosen.
async function choose(page, selector, value) {
  await tabTo(page, selector);
  await page.keyboard.press('Home');
  for (let presses = 0; presses < OPTIONS_MAX; presses += 1) {
    if (await page.locator(selector).first().inputValue() === value) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`keyboard: option ${value} of ${selector} not reached`);
}

// Tabs to `selector` and presses Enter (a link, a button, or a field of
// a form, which sends the form); waits for the page that follows.
async function enter(page, selector) {
  await tabTo(page, selector);
  const loaded = page.waitForEvent('load');
  await page.keyboard.press('Enter');
  await loaded;
}

// Logs in on the login page by keyboard.
async function login(page, base, account, password) {
  await page.goto(base + '/anmelden');
  await type(page, '#account', account);
  await type(page, '#password', password);
  await Promise.all([page.waitForURL(base + '/'), page.keyboard.press('Enter')]);
}

// On a freshly loaded page: the first Tab reaches the skip link, which is
// then visible; Enter on it moves the focus into <main>.
async function skipLink(page) {
  await page.reload();
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    return { isSkip: el.classList.contains('skip'), href: el.getAttribute('href'), visible: box.left >= 0 && box.top >= 0 && box.width > 0 };
  });
  if (!skip.isSkip) throw new Error('keyboard: the first Tab does not reach the skip link');
  if (!skip.visible) throw new Error('keyboard: the focused skip link is not visible');
  const shown = await focusShown(page);
  if (!shown.ok) throw new Error('keyboard: the skip link shows no focus');
  await page.keyboard.press('Enter');
  const inMain = await page.evaluate(() => !!document.activeElement.closest('main'));
  if (!inMain) throw new Error(`keyboard: after the skip link (${skip.href}) the focus is not in the main content`);
}

module.exports = { tabTo, type, replace: type, choose, enter, follow: enter, login, skipLink };
