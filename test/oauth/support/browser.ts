import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, driven by playwright-core (never a downloaded browser). Playwright
 * gives every launch a fresh temporary profile (its own --user-data-dir) and every context fresh
 * cookies. One browser per test file: launch in `before`, close in `after`.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}

const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

/** Saves `test-output/screenshots/<name>.png` (git-ignored). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fills the hosted login form and submits it with a click, as a user would. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel(/^(Username|Email|Phone number|Email or phone number)$/).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
