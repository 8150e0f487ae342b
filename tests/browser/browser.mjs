// What the browser scenarios share: Debian's chromium started through playwright-core (which
// downloads no browser), timed progress lines, waiting for a cell's text with a clear failure,
// and a run wrapper that keeps a screenshot of a failure and always closes the browser.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const started = Date.now();
export const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

// Waits until one of `locator`'s elements shows `text`; the error says what it showed instead.
export async function expectText(locator, text, timeout, what) {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout });
  } catch (e) {
    const now = (await locator.count()) ? await locator.first().textContent() : "(absent)";
    throw new Error(`${what}: wanted "${text}" within ${timeout / 1000}s, shows "${now}"`);
  }
}

// Runs scenario(page, context) in a fresh chromium profile; exits the process 0 or 1. On a
// failure the page is kept as <screenshot>-failed.png.
export async function runScenario({ chromiumPath, screenshot, name }, scenario) {
  // This machine's network is closed: flags that keep chromium from calling home (and failing,
  // many times over) on start, and a fresh profile so nothing carries over between runs.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  let failed = false;
  try {
    const page = context.pages()[0] || (await context.newPage());
    await scenario(page, context);
  } catch (e) {
    failed = true;
    console.error(`${name} failed: ${e.message}`);
    try {
      const page = context.pages()[0];
      if (page) {
        const failedShot = screenshot.replace(/\.png$/, "") + "-failed.png";
        await page.screenshot({ path: failedShot, fullPage: true });
        console.error(`screenshot of the failure: ${failedShot}`);
      }
    } catch { /* nothing more to keep */ }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}
