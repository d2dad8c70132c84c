// Opens every page of a static site in headless Debian chromium (puppeteer-core) over file:// and fails
// on any console error, page error or failed request, on any link that is not relative, and on any
// link whose file or anchor (element id) does not exist. Prints every problem.
//
//   NODE_PATH=<dir>/node_modules node check_site.js SITE_DIR [--expect-problems]
//
// --expect-problems: succeed only when problems are found (the check's own test, on a broken site).
'use strict';
const fs = require('fs');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');
const puppeteer = require('puppeteer-core');

async function main() {
  const args = process.argv.slice(2);
  const expectProblems = args.includes('--expect-problems');
  const dir = path.resolve(args.find((a) => !a.startsWith('--')) || '');
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.error(`FAIL: no chromium at ${executablePath} (install it: scripts/setup.sh)`);
    process.exit(1);
  }
  const pages = fs.readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
  const problems = [];
  const ids = new Map();    // page -> Set of ids
  const links = [];         // {from, raw, href}
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--allow-file-access-from-files'],
  });
  try {
    for (const name of pages) {
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${name}: console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`${name}: request failed: ${r.url()} (${r.failure() && r.failure().errorText})`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`${name}: fetches ${r.url()} (not self-contained)`);
      });
      const response = await page.goto(pathToFileURL(path.join(dir, name)).href, { waitUntil: 'load' });
      if (!response) problems.push(`${name}: did not load`);
      const seen = await page.evaluate(() => ({
        ids: Array.from(document.querySelectorAll('[id]'), (e) => e.id),
        links: Array.from(document.querySelectorAll('a[href]'), (a) => ({ raw: a.getAttribute('href'), href: a.href })),
        charset: document.characterSet,
        styled: getComputedStyle(document.body).marginTop === '0px',
      }));
      if (seen.charset !== 'UTF-8') problems.push(`${name}: character set ${seen.charset}, not UTF-8`);
      if (!seen.styled) problems.push(`${name}: the stylesheet was not applied`);
      const set = new Set();
      for (const id of seen.ids) {
        if (set.has(id)) problems.push(`${name}: id "${id}" is used twice`);
        set.add(id);
      }
      ids.set(name, set);
      for (const l of seen.links) links.push({ from: name, ...l });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  for (const l of links) {
    const where = `${l.from}: link "${l.raw}"`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(l.raw) || l.raw.startsWith('/')) {
      problems.push(`${where} is not relative`);
      continue;
    }
    const url = new URL(l.href);
    const file = fileURLToPath(url);
    const target = path.relative(dir, file);
    if (!fs.existsSync(file)) {
      problems.push(`${where}: no file ${target}`);
      continue;
    }
    const anchor = decodeURIComponent(url.hash.slice(1));
    if (anchor && !(ids.get(target) || new Set()).has(anchor)) problems.push(`${where}: no element with id "${anchor}" in ${target}`);
  }
  for (const p of problems) console.log(`FAIL: ${p}`);
  console.log(`${pages.length} pages, ${links.length} links checked, ${problems.length} problem(s)`);
  if (pages.length === 0) {
    console.log('FAIL: no page found');
    process.exit(1);
  }
  if (expectProblems) {
    const kinds = ['console error', 'page error', 'no file', 'no element with id', 'is not relative'];
    const missed = kinds.filter((k) => !problems.some((p) => p.includes(k)));
    if (missed.length) {
      console.log(`FAIL: the broken site's problems were not all found: ${missed.join(', ')}`);
      process.exit(1);
    }
    console.log('ok: the broken site fails the check');
    process.exit(0);
  }
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
