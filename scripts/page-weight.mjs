// Page weight as a phone fetches it: the home page at 390 × 844 (device pixel ratio 3, as
// on a current iPhone) in Debian's chromium, counting the bytes sent over the wire for
// every request (Chrome's encodedDataLength: headers and compressed bodies), on a first
// visit and on the next one (HTTP cache warm). Prints figures; the targets are 150 KB and
// 10 KB. Run by scripts/bench; alone:
//   node scripts/page-weight.mjs http://127.0.0.1:8080 [PATH]
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [base, path = '/'] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
});
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
let log = [];
const urls = new Map();
cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
cdp.on('Network.loadingFinished', (e) => log.push({ url: urls.get(e.requestId), bytes: e.encodedDataLength }));

async function visit(label) {
  log = [];
  await page.goto(base + path, { waitUntil: 'networkidle' });
  // Scroll to the bottom and back, so lazy pictures load as they would for a reader.
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 600) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 50));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForLoadState('networkidle');
  const total = log.reduce((n, r) => n + r.bytes, 0);
  console.log(`== ${label}: ${log.length} requests, ${total} bytes (${(total / 1024).toFixed(1)} KB)`);
  for (const r of log.sort((a, b) => b.bytes - a.bytes)) {
    console.log(`  ${String(r.bytes).padStart(8)}  ${r.url.replace(base, '')}`);
  }
  return total;
}

const first = await visit(`first visit to ${path} at 390 px (DPR 3)`);
const next = await visit('the next visit (cache warm)');
console.log(`  target: first visit ≤ 150 KB (${first <= 150 * 1024 ? 'met' : 'NOT met'}), next visit ≤ 10 KB (${next <= 10 * 1024 ? 'met' : 'NOT met'})`);
await browser.close();
