import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs; playwright-core drives it without downloading its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and nothing in the background that could reach the network or move a screenshot. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails a test's setup with the command that installs Chromium, instead of a launch error later. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
}

/**
 * Runs `use` on a page of a fresh headless Chromium with a throw-away profile, in light mode with reduced
 * motion (the charts skip their entry animation, so what is asserted and photographed is final).
 */
export async function withChromium<T>(
  window: { width: number; height: number; deviceScaleFactor?: number },
  use: (page: Page) => Promise<T>,
): Promise<T> {
  const profile = await mkdtemp(join(tmpdir(), 'frontendops-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: window.width, height: window.height },
      ...(window.deviceScaleFactor === undefined ? {} : { deviceScaleFactor: window.deviceScaleFactor }),
      reducedMotion: 'reduce',
      colorScheme: 'light',
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return await use(page);
  } finally {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
  }
}
