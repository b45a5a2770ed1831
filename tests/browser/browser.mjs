// Headless Debian Chromium driven by playwright-core (docs/architecture.md §10), with a fresh profile per
// run and screenshots saved where `make test` keeps its artifacts (TURNPIKE_SCREENSHOTS, by
// default build/screenshots).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../lib/harness.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = process.env.TURNPIKE_SCREENSHOTS ?? path.join(ROOT, 'build', 'screenshots');
export const DIST = path.join(ROOT, 'web', 'dist', 'index.html');

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// A browser context of its own (profile in a temp dir, removed by close()).
export async function launch({ viewport = { width: 1280, height: 860 }, colorScheme = 'light', origin } = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-deps --browser (or make browser-deps)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'turnpike-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    colorScheme,
    reducedMotion: 'reduce',
  });
  if (origin) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  // Cumulative layout shift of each page load (shifts right after input do not count), read by
  // tests as window.__turnpikeLayoutShift.
  await context.addInitScript(() => {
    window.__turnpikeLayoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) window.__turnpikeLayoutShift += entry.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const page = context.pages()[0] ?? await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Saves a full-page PNG as SCREENSHOTS/<name>.png and returns its path.
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // Let fonts and charts settle (animations are off: reducedMotion and isAnimationActive=false).
  await page.evaluate(() => document.fonts?.ready);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// "$0.000480" → 480 (micro-USD); accepts "$1,234.50" and a leading minus sign.
export function usdTextToMicros(text) {
  const m = /(−|-)?\$([0-9,]+(?:\.[0-9]+)?)/.exec(text);
  if (!m) throw new Error(`no dollar amount in "${text}"`);
  const [whole, frac = ''] = m[2].replace(/,/g, '').split('.');
  const micros = Number(whole) * 1_000_000 + Number((frac + '000000').slice(0, 6));
  return m[1] ? -micros : micros;
}
