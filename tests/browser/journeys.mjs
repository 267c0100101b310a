// Browser journeys and accessibility checks, in Debian's chromium driven by playwright-core.
// Run by tests/browser/run.sh against a release build with a fresh SQLite database:
//   node tests/browser/journeys.mjs BASE_URL DATA_DIR OUT_DIR
// Every journey is a step; a failed step is reported and the run carries on, then exits 1.
// Screenshots go to OUT_DIR (target/browser/ in CI).

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [base, dataDir, outDir] = process.argv.slice(2);
if (!base || !dataDir || !outDir) {
  console.error('usage: node journeys.mjs BASE_URL DATA_DIR OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const ADMIN = { email: 'admin@example.org', password: 'browser test passphrase' };
const axeSource = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const only = process.env.BROWSER_ONLY || '';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});

const failures = [];
let count = 0;
async function step(name, fn) {
  if (only && !name.includes(only)) return;
  count += 1;
  const started = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${String(e && e.stack ? e.stack : e).split('\n').slice(0, 6).join('\n     ')}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// A browser context in which any request off this site is answered locally (there is no
// network here) and recorded: only the Exit this page navigation may leave the site.
async function context(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  ctx.foreign = [];
  await ctx.route((url) => !url.href.startsWith(base), (route) => {
    ctx.foreign.push(route.request().url());
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Neutral site</title><p>A neutral website.</p>' });
  });
  return ctx;
}

async function shot(page, name) {
  for (const width of [320, 390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(outDir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

// axe-core with the WCAG 2.0–2.2 A and AA rules; any violation fails the page.
async function axe(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    }),
  );
  const problems = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n       ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n       ')}`,
  );
  assert(problems.length === 0, `${label}: ${problems.length} accessibility violations\n     ${problems.join('\n     ')}`);
}

// Newest outbox message to `to`, with quoted-printable soft breaks undone.
function mailTo(to) {
  const dir = path.join(dataDir, 'outbox');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : [];
  for (const f of files.reverse()) {
    const raw = fs.readFileSync(path.join(dir, f), 'utf8');
    if (raw.includes(`To: ${to}`)) {
      return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    }
  }
  return null;
}
async function waitForMail(to, pattern) {
  for (let i = 0; i < 50; i++) {
    const m = mailTo(to);
    if (m && pattern.test(m)) return m;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${to} matching ${pattern}`);
}

// Forms refuse submissions made faster than a person could type (2 s): wait like one.
const humanPause = () => new Promise((r) => setTimeout(r, 2100));

async function login(page) {
  await page.goto(`${base}/admin/login`);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert(page.url().includes('/admin'), `logged in: ${page.url()}`);
}

const slug = await (async () => {
  const res = await fetch(`${base}/api/activities`);
  const json = await res.json();
  return json.activities.length ? json.activities[0].campaign : '';
})();

// ----- public journeys -----

/** A page's address in a language: `/help` → `/cy/help`, `/` → `/cy/`. */
const at = (lang, p) => (lang === 'cy' ? `/cy${p}` : p);

await step('find support by postcode (with JavaScript)', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.fill('#postcode', 'cf10 3nq');
  await Promise.all([page.waitForNavigation(), page.click('.finder-form button[type=submit]')]);
  const text = await page.textContent('main');
  assert(/Cardiff and Vale/.test(text), 'the area is named');
  const headings = await page.$$eval('main h2', (hs) => hs.map((h) => h.textContent.trim()));
  assert(/^Help now/.test(headings[0] || ''), `help now is the first section: ${headings.join(' | ')}`);
  assert(text.indexOf('999') < text.indexOf('Local services') || !text.includes('Local services'), '999 before local services');
  await shot(page, 'finder-result');
  assert(ctx.foreign.length === 0, `third-party requests: ${ctx.foreign}`);
  await ctx.close();
});

await step('find support by postcode (without JavaScript)', async () => {
  const ctx = await context({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${base}/support`);
  await page.fill('#postcode', 'EH1 1YZ');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  const text = await page.textContent('main');
  assert(/Lothian/.test(text), 'the area is named without JavaScript');
  assert(/NHS 24|111/.test(text), 'the nation\'s urgent line is shown');
  await ctx.close();
});

await step('Exit this page by the button: neutral site, Back does not return, session gone', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await login(page);
  await page.goto(`${base}/help`);
  await page.goto(`${base}/news`);
  await Promise.all([page.waitForURL((u) => !u.href.startsWith(base)), page.click('.exit-button')]);
  assert(!page.url().startsWith(base), `left the site: ${page.url()}`);
  await page.goBack().catch(() => {});
  assert(!page.url().startsWith(`${base}/news`), `Back returned to the page: ${page.url()}`);
  const res = await ctx.request.get(`${base}/admin`, { maxRedirects: 0 });
  assert(res.status() === 303 || res.status() === 302, `staff session ended (status ${res.status()})`);
  await ctx.close();
});

await step('Exit this page by pressing Shift three times', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/stories`);
  await page.keyboard.press('Shift');
  await page.keyboard.press('Shift');
  await Promise.all([page.waitForURL((u) => !u.href.startsWith(base)), page.keyboard.press('Shift')]);
  assert(!page.url().startsWith(base), 'left the site');
  await ctx.close();
});

await step('subscribe and confirm from the email', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/subscribe`);
  await page.fill('#email', 'reader@example.org');
  await page.fill('#name', 'Sam');
  await page.check('input[name=consent]');
  await humanPause();
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert(/check your email|Check your email|sent/i.test(await page.textContent('main')), 'asked to check email');
  const mail = await waitForMail('reader@example.org', /\/subscribe\/confirm\//);
  const link = mail.match(/https?:\/\/[^\s"<>]*\/subscribe\/confirm\/[A-Za-z0-9_-]+/)[0];
  await page.goto(base + link.replace(/^https?:\/\/[^/]+/, ''));
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert(/signed up/i.test(await page.textContent('main')), 'subscription confirmed');
  await ctx.close();
});

await step('submit a story: a validation error keeps the text, then it is sent', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/stories/new`);
  const story = 'After my daughter was born I could not sleep even when she slept. The health visitor noticed and helped me get support.';
  await page.fill('#body', story);
  await humanPause();
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert(await page.isVisible('.error-summary'), 'errors are summarised');
  assert((await page.inputValue('#body')) === story, 'the story is kept');
  await shot(page, 'story-error');
  await page.fill('#title', 'Sleep, and asking for help');
  await page.check('#scope-anonymous');
  await page.check('#consent');
  await humanPause();
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert(/thank/i.test(await page.textContent('main')), 'the story is sent');
  await ctx.close();
});

await step('register an activity', async () => {
  assert(slug, 'a demo campaign exists');
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/activities/new?campaign=${slug}`);
  const res = await (await fetch(`${base}/api/activities`)).json();
  const day = res.activities[0].sessions[0].day;
  await page.fill('#title', 'Browser test coffee morning');
  await page.fill('#organiser', 'Browser Test Group');
  await page.check('#kind-in_person');
  await page.fill('#date_1', day);
  await page.fill('#start_1', '10:00');
  await page.fill('#end_1', '09:00');
  await page.fill('#venue', 'Community hall, Cardiff');
  await page.fill('#postcode', 'CF10 1AA');
  await page.fill('#description', 'Tea, cake and a chat.');
  await page.fill('#contact_email', 'organiser@example.org');
  await humanPause();
  await Promise.all([page.waitForNavigation(), page.click('main form button[value=save]')]);
  assert(/end time must be after/.test(await page.textContent('main')), 'end before start is explained');
  assert((await page.inputValue('#title')) === 'Browser test coffee morning', 'the form is kept');
  await page.fill('#end_1', '12:00');
  await humanPause();
  await Promise.all([page.waitForNavigation(), page.click('main form button[value=save]')]);
  assert(/emailed you a private link/.test(await page.textContent('main')), 'registered');
  await waitForMail('organiser@example.org', /\/activities\/manage\//);
  await ctx.close();
});

await step('map: change the year, open an area page', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/map`);
  const years = await page.$$eval('#year option', (os) => os.map((o) => o.value));
  assert(years.length > 1, 'several years');
  await page.selectOption('#year', years[years.length - 1]);
  await Promise.all([page.waitForNavigation(), page.click('form.filter button[type=submit]')]);
  assert(page.url().includes(`year=${years[years.length - 1]}`), 'year in the address');
  await shot(page, 'map');
  await Promise.all([page.waitForNavigation(), page.click('main table a[href^="/areas/"]')]);
  assert(/\/areas\//.test(page.url()), 'an area page');
  await ctx.close();
});

await step('switch to Welsh and back: a finder result stays a finder result at its /cy/ address', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/support?postcode=CF10+3NQ`);
  await Promise.all([page.waitForNavigation(), page.click('a.lang-switch:visible')]);
  assert((await page.getAttribute('html', 'lang')) === 'cy', 'Welsh page');
  const url = new URL(page.url());
  assert(url.pathname === '/cy/support' && /CF10/.test(url.search), `the Welsh address keeps the search: ${page.url()}`);
  assert(/CF10 3NQ/.test(await page.textContent('h1')), 'still the result for the postcode');
  await shot(page, 'support-cy');
  // The choice is remembered only for the home page.
  await page.goto(`${base}/`);
  assert(new URL(page.url()).pathname === '/cy/', `home goes to /cy/: ${page.url()}`);
  await page.goto(`${base}/help`);
  assert((await page.getAttribute('html', 'lang')) === 'en', 'an English address is English');
  await page.goto(`${base}/cy/help`);
  await Promise.all([page.waitForNavigation(), page.click('a.lang-switch:visible')]);
  assert((await page.getAttribute('html', 'lang')) === 'en' && new URL(page.url()).pathname === '/help', 'back to English, same page');
  await ctx.close();
});

await step('keyboard only: the finder, with visible focus not hidden by sticky parts', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  const seen = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      const shadow = style.boxShadow && style.boxShadow !== 'none';
      // Is the middle of the focused element the element itself (not covered)?
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 10));
      const covered = top && !(el === top || el.contains(top) || top.contains(el));
      return { id: el.id, tag: el.tagName, visible: outline || shadow, covered, inView: r.bottom > 0 && r.top < innerHeight };
    });
    if (!info) continue;
    seen.push(info.id || info.tag);
    assert(info.visible, `focus is visible on ${info.id || info.tag}`);
    assert(!info.covered || !info.inView, `focus not obscured on ${info.id || info.tag}`);
    if (info.id === 'postcode') break;
  }
  assert(seen.includes('postcode'), `reached the postcode box by Tab: ${seen.join(', ')}`);
  // The skip link and Exit this page come before anything else.
  assert(seen.indexOf('postcode') > 0, 'skip links first');
  await page.keyboard.type('LL57 2PW');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert(/Betsi Cadwaladr/.test(await page.textContent('main')), 'found by keyboard');
  await ctx.close();
});

await step('keyboard only: the map, year chosen and an area opened', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/map`);
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        id: el.id,
        visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none',
      };
    });
    assert(state.visible, `focus visible on #${state.id}`);
    reached = state.id === 'year';
  }
  assert(reached, 'the year list is reachable by Tab');
  const before = await page.inputValue('#year');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert(page.url().includes('year='), `submitted by keyboard: ${page.url()}`);
  assert((await page.inputValue('#year')) !== before || page.url().includes(`year=${before}`), 'a year chosen');
  // An area page from the table, by keyboard.
  await page.focus('main table a[href^="/areas/"]');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert(/\/areas\//.test(page.url()), 'an area page by keyboard');
  await ctx.close();
});

// ----- staff journeys -----

await step('staff: log in, publish a page, moderate the story, send a newsletter', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await login(page);
  // Publish a page.
  await page.goto(`${base}/admin/pages/new`);
  await page.fill('#title', 'Browser test page');
  await page.fill('#slug', 'browser-test-page');
  await page.fill('#body', 'Written in a **browser** test.');
  await page.selectOption('#status', 'published').catch(async () => page.check('input[name=status][value=published]'));
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  const pub = await ctx.request.get(`${base}/browser-test-page`);
  assert(pub.status() === 200 && (await pub.text()).includes('<strong>browser</strong>'), 'the page is public');
  // Moderate the story sent earlier.
  await page.goto(`${base}/admin/stories`);
  await Promise.all([page.waitForNavigation(), page.click('main a[href^="/admin/stories/"]')]);
  await Promise.all([page.waitForNavigation(), page.click('button[formaction$="/publish"]')]);
  const stories = await (await ctx.request.get(`${base}/stories`)).text();
  assert(stories.includes('Sleep, and asking for help'), 'the story is published');
  // Send a newsletter to the confirmed subscriber.
  await page.goto(`${base}/admin/bulletin/new`);
  await page.fill('#subject', 'Browser test bulletin');
  await page.fill('#body', 'News from the browser test.');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]:not([formaction])')]);
  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForNavigation(), page.click('button[formaction$="/send"]')]);
  await waitForMail('reader@example.org', /Browser test bulletin/);
  await shot(page, 'admin-bulletin');
  await ctx.close();
});

// ----- accessibility of every page type -----

// Every public page type, as a person meets it: on a 320 px and a 390 px phone and a
// 1280 px screen, in English and in Welsh. Nothing may scroll sideways (tables scroll in
// their own box), and axe finds nothing at any width. A full-page screenshot of each at
// 390 px goes to OUT_DIR for people to look at.
const WIDTHS = [[320, 568], [390, 844], [1280, 900]];

// How far the page scrolls sideways, and the widest elements sticking out (for the message).
async function sideways(page) {
  return page.evaluate(() => {
    const cw = document.documentElement.clientWidth;
    const over = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > cw + 1) {
        let p = el.parentElement;
        let boxed = false;
        while (p) {
          if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { boxed = true; break; }
          p = p.parentElement;
        }
        if (!boxed) over.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} +${Math.round(r.right - cw)}px`);
      }
    }
    return { by: document.documentElement.scrollWidth - cw, over: over.slice(0, 3) };
  });
}

async function publicPages() {
  const api = await (await fetch(`${base}/api/activities`)).json();
  const activity = api.activities[0];
  const oruk = await (await fetch(`${base}/api/oruk/services?per_page=1`)).json();
  // The first link under `prefix` on a page that is not one of `skip` (a story, a member).
  const firstLink = async (path, prefix, skip) => {
    const html = await (await fetch(base + path)).text();
    const links = [...html.matchAll(new RegExp(`href="(${prefix}[^"#?]+)"`, 'g'))].map((m) => m[1]);
    return links.find((l) => !skip.includes(l)) || null;
  };
  const pages = [
    '/', '/help', '/support', '/support?postcode=CF10+3NQ', '/support?postcode=EH1+1YZ', '/support?postcode=BT1+1AA',
    '/support?postcode=LS1+4AP', '/support?postcode=XX1+1XX', '/map', '/map?year=2021&compare=2019', '/areas/W11000029',
    '/areas/E54000028', `/services/${oruk.contents[0].id}`, '/news', '/news/awareness-week-how-to-take-part', '/news/tag/maps',
    '/about', '/impact', '/resources', '/search?q=help', '/contact', '/contact?type=media', '/stories', '/stories/new',
    '/members', '/members/apply', '/supporters', '/supporters/join', '/champions', '/subscribe', '/bulletin', '/campaigns',
    `/campaigns/${slug}`, `/campaigns/${slug}/activities`, `/campaigns/${slug}/calendar`, `/campaigns/${slug}/map`,
    `/activities/${activity.id}`, '/activities/new', '/events', '/disclaimer', '/no-such-page',
  ];
  for (const [path, prefix] of [['/stories', '/stories/'], ['/bulletin', '/bulletin/'], ['/members', '/members/']]) {
    const link = await firstLink(path, prefix, ['/stories/new', '/members/apply']);
    if (link) pages.push(link);
  }
  return pages;
}

await step('every public page at 320, 390 and 1280 px in English and Welsh: no sideways scrolling, axe clean', async () => {
  const pages = await publicPages();
  const problems = [];
  for (const lang of ['en', 'cy']) {
    const ctx = await context();
    const page = await ctx.newPage();
    for (const p of pages) {
      for (const [width, height] of WIDTHS) {
        await page.setViewportSize({ width, height });
        await page.goto(base + at(lang, p));
        const s = await sideways(page);
        if (s.by > 0) problems.push(`${p} (${lang}, ${width} px) scrolls sideways by ${s.by} px: ${s.over.join(', ')}`);
        if (width !== 390) {
          try {
            await axe(page, `${p} (${lang}, ${width} px)`);
          } catch (e) {
            problems.push(e.message);
          }
        } else {
          const name = `page-${lang}${p.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '') || '-home'}`;
          await page.screenshot({ path: path.join(outDir, `${name}-390.png`), fullPage: true });
        }
      }
    }
    assert(ctx.foreign.length === 0, `third-party requests: ${ctx.foreign}`);
    await ctx.close();
  }
  // A form with errors.
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/contact?type=other`);
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  try {
    await axe(page, '/contact with errors');
  } catch (e) {
    problems.push(e.message);
  }
  await ctx.close();
  assert(problems.length === 0, `${problems.length} problems\n     ${problems.join('\n     ')}`);
});

// Crisis first: on the home page, the help page and every finder result, a parent on a
// phone sees a call button for 999 (or the nation's urgent line) and one for Samaritans
// without scrolling: whole, full width, at least 44 px tall, with the number on it.
await step('crisis first: 999 and Samaritans call buttons on the first screen of a phone', async () => {
  const problems = [];
  const crisis = ['/', '/help', '/support?postcode=CF10+3NQ', '/support?postcode=EH1+1YZ', '/support?postcode=BT1+1AA', '/support?postcode=LS1+4AP', '/support?postcode=XX1+1XX'];
  for (const lang of ['en', 'cy']) {
    for (const [width, height] of WIDTHS.slice(0, 2)) {
      const ctx = await context({ viewport: { width, height } });
      const page = await ctx.newPage();
      for (const p of crisis) {
        await page.goto(base + at(lang, p));
        const calls = await page.$$eval('a[href^="tel:"]', (links) => links.map((a) => {
          const r = a.getBoundingClientRect();
          const main = document.querySelector('main').getBoundingClientRect();
          return { href: a.getAttribute('href'), text: a.textContent.replace(/\s+/g, ' ').trim(), top: r.top, bottom: r.bottom, height: r.height, width: r.width, room: main.width, screen: innerHeight };
        }));
        const seen = (c) => c.top >= 0 && c.bottom <= c.screen && c.height >= 44 && c.width >= c.room - 2 * 16 - 40;
        const emergency = calls.find((c) => seen(c) && (c.href === 'tel:999' || c.href === 'tel:111' || c.href === 'tel:08088088000'));
        const samaritans = calls.find((c) => seen(c) && c.href === 'tel:116123');
        if (!emergency) problems.push(`${p} (${lang}, ${width}×${height}): no whole 999 or urgent-line button on the first screen`);
        if (!samaritans) problems.push(`${p} (${lang}, ${width}×${height}): no whole Samaritans button on the first screen`);
        for (const c of [emergency, samaritans].filter(Boolean)) {
          const digits = c.href.slice(4);
          if (!c.text.replace(/\s/g, '').includes(digits) && !(digits === '111' && /111/.test(c.text))) {
            problems.push(`${p} (${lang}): the button for ${digits} does not show the number: "${c.text}"`);
          }
        }
        if (width === 390 && p.includes('postcode=')) await page.screenshot({ path: path.join(outDir, `crisis-${lang}-${p.split('=')[1].replace(/\W/g, '')}-${width}.png`) });
      }
      await ctx.close();
    }
  }
  assert(problems.length === 0, problems.join('\n     '));
});

await step('a risky message: crisis help on the first screen of the answer, in English and Welsh, at every width', async () => {
  const problems = [];
  const messages = {
    en: 'I have been saving up my tablets and I know how I would do it.',
    cy: "Dwi wedi bod yn cadw'r tabledi i gyd a dwi isio marw.",
  };
  for (const lang of ['en', 'cy']) {
    for (const [width, height] of WIDTHS) {
      const ctx = await context({ viewport: { width, height } });
      const page = await ctx.newPage();
      await page.goto(base + at(lang, '/contact?type=other'));
      await page.fill('#name', 'Jo');
      await page.fill('#email', `jo-${lang}-${width}@example.org`);
      await page.fill('#subject', lang === 'cy' ? 'Help' : 'Please read');
      await page.fill('#message', messages[lang]);
      await humanPause();
      await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
      const where = `${lang}, ${width}×${height}`;
      const heading = (await page.textContent('#crisis-first')) || '';
      const want = lang === 'cy' ? 'Mae help yma' : 'Help is here';
      if (!heading.includes(want)) problems.push(`${where}: no crisis heading "${want}" (got "${heading}")`);
      const calls = await page.$$eval('#crisis-help a[href^="tel:"]', (links) => links.map((a) => {
        const r = a.getBoundingClientRect();
        return { href: a.getAttribute('href'), top: r.top, bottom: r.bottom, height: r.height, screen: innerHeight };
      }));
      const first = calls.find((c) => c.href === 'tel:999');
      if (!first || first.top < 0 || first.bottom > first.screen || first.height < 44) {
        problems.push(`${where}: the 999 button is not whole on the first screen ${JSON.stringify(first)}`);
      }
      if (!calls.some((c) => c.href === 'tel:116123')) problems.push(`${where}: no Samaritans button`);
      const sent = await page.$eval('h1', (h) => h.getBoundingClientRect().top);
      const help = await page.$eval('#crisis-help', (h) => h.getBoundingClientRect().top);
      if (!(help < sent)) problems.push(`${where}: the acknowledgement comes before the help`);
      const side = await sideways(page);
      if (side.by > 0) problems.push(`${where}: scrolls sideways by ${side.by}px: ${side.over.join(', ')}`);
      if (width !== 390) await axe(page, `crisis help after sending (${where})`);
      await page.screenshot({ path: path.join(outDir, `crisis-sent-${lang}-${width}.png`) });
      await ctx.close();
    }
  }
  assert(problems.length === 0, problems.join('\n     '));
});

await step('staff: the risky messages come first in the enquiries queue, marked urgent, and wait on the safeguarding page until opened', async () => {
  // The messages sent in the step before (six of them, two languages by three widths).
  const problems = [];
  for (const [width, height] of [[390, 844], [1280, 900]]) {
    const ctx = await context({ viewport: { width, height } });
    const page = await ctx.newPage();
    await login(page);
    await page.goto(`${base}/admin/enquiries`);
    const first = (await page.textContent('main table tbody tr th')) || '';
    if (!first.includes('Urgent')) problems.push(`${width}px: the first enquiry is not marked urgent ("${first.trim()}")`);
    if (!/suicide|Suicide/.test(first)) problems.push(`${width}px: the first enquiry does not say the kind of risk ("${first.trim()}")`);
    await page.goto(`${base}/admin/safeguarding`);
    const waiting = await page.$$eval('[aria-labelledby="waiting"] tbody tr', (rows) => rows.length);
    if (waiting < 1) problems.push(`${width}px: nothing waits on the safeguarding page`);
    const side = await sideways(page);
    if (side.by > 0) problems.push(`${width}px: the safeguarding page scrolls sideways by ${side.by}px: ${side.over.join(', ')}`);
    if (width === 1280) await axe(page, '/admin/safeguarding with flags waiting');
    await page.screenshot({ path: path.join(outDir, `staff-safeguarding-${width}.png`), fullPage: true });
    // Opening one records the first look: it no longer waits.
    await Promise.all([page.waitForNavigation(), page.click('[aria-labelledby="waiting"] tbody tr a')]);
    const banner = (await page.textContent('main')) || '';
    if (!/safeguarding|Safeguarding/.test(banner)) problems.push(`${width}px: the flagged message has no safeguarding banner`);
    await page.goto(`${base}/admin/safeguarding`);
    const after = await page.$$eval('[aria-labelledby="waiting"] tbody tr', (rows) => rows.length);
    if (after !== waiting - 1) problems.push(`${width}px: ${waiting} waited, ${after} wait after opening one`);
    await ctx.close();
  }
  assert(problems.length === 0, problems.join('\n     '));
});

await step('Northern Ireland: the finder says plainly there is no mother and baby unit', async () => {
  const ctx = await context({ viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/support?postcode=BT1+1AA`);
  const units = await page.textContent('section[aria-labelledby="nearest-units"]');
  assert(/no mother and baby unit in Northern Ireland/.test(units), `said: ${units.slice(0, 300)}`);
  assert(/Scotland|England/.test(units), 'the nearest units say which nation they are in');
  assert(/miles/.test(units) && units.indexOf('miles') < units.indexOf('km'), 'miles first');
  await page.goto(`${base}/support?postcode=CF10+3NQ`);
  const wales = await page.textContent('section[aria-labelledby="nearest-units"]');
  assert(!/no mother and baby unit/.test(wales), 'Wales has a unit');
  await ctx.close();
});

await step('menu on a phone works without JavaScript; Get help now and Exit this page stay in view', async () => {
  const ctx = await context({ javaScriptEnabled: false, viewport: { width: 320, height: 568 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/news`);
  assert(!(await page.isVisible('nav.nav-wide')), 'the wide menu is hidden on a phone');
  assert(await page.isVisible('.exit-button') && await page.isVisible('.get-help'), 'Exit this page and Get help now are visible');
  await page.click('details.menu > summary');
  await Promise.all([page.waitForNavigation(), page.click('details.menu nav a[href="/map"]')]);
  assert(page.url().endsWith('/map'), `menu link followed: ${page.url()}`);
  await page.mouse.wheel(0, 3000);
  await page.waitForTimeout(100);
  const bar = await page.$eval('.exit-button', (e) => e.getBoundingClientRect().top);
  assert(bar >= 0 && bar < 60, `Exit this page stays at the top when scrolled (${bar})`);
  await ctx.close();
});

await step('axe: staff pages, WCAG 2.2 AA', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await login(page);
  const pages = [
    '/admin', '/admin/pages', '/admin/pages/new', '/admin/news', '/admin/stories', '/admin/enquiries',
    '/admin/members', '/admin/bulletin', '/admin/bulletin/new', '/admin/subscribers', '/admin/areas',
    '/admin/services', '/admin/finder', '/admin/campaigns', '/admin/campaigns/new', '/admin/activities',
    '/admin/analytics', '/admin/impact', '/admin/impact/tracker', '/admin/helplines', '/admin/settings',
    '/admin/users', '/admin/people', '/admin/audit', '/admin/safeguarding',
  ];
  const problems = [];
  for (const p of pages) {
    await page.goto(base + p);
    try {
      await axe(page, p);
    } catch (e) {
      problems.push(e.message);
    }
  }
  assert(problems.length === 0, problems.join('\n     '));
  await ctx.close();
});

await step('screenshots of key pages at 320 and 1280 px', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  for (const [name, p] of [
    ['home', '/'], ['help', '/help'], ['map-page', '/map'], ['campaign', `/campaigns/${slug}`],
    ['calendar', `/campaigns/${slug}/calendar`], ['impact', '/impact'], ['register-activity', '/activities/new'],
  ]) {
    await page.goto(base + p);
    await shot(page, name);
  }
  await ctx.close();
});

await browser.close();
if (count === 0) {
  // A filter that matches nothing must not pass as a green run of nothing.
  console.log(`FAILED: no browser step ran${only ? ` (BROWSER_ONLY=${JSON.stringify(only)} matches no step name)` : ''}`);
  process.exit(1);
}
console.log(`\n${count - failures.length} of ${count} browser steps passed; screenshots in ${outDir}`);
if (failures.length) {
  console.log(`failed: ${failures.join('; ')}`);
  process.exit(1);
}
