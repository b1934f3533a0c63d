/**
 * README screenshots: the side panel with a few todos, light and dark, 360 px and 720 px wide, in
 * Debian Chromium with the test-mode build (`npm run screenshots`, which builds it first; or point
 * TT_EXTENSION_DIR at another test-mode build). Writes docs/screenshots/sidepanel-{light,dark}-{360,720}.png
 * (or into TT_SCREENSHOT_DIR, to look before replacing them).
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { addTodo, launchWithExtension, newProfileDir, openSidePanel, todoItem } from '../tests/e2e/fixtures';

const OUT = path.resolve(process.env.TT_SCREENSHOT_DIR ?? 'docs/screenshots');
const HEIGHT = 780;
// Typed into the quick-add box as a user would: dates and priorities are parsed from the words.
const TODOS = [
  'Call Bob tomorrow 5pm !high',
  'Renew passport friday',
  'Buy oat milk today',
  'Book dentist appointment next week !low',
  'Send the quarterly report today 3pm !h',
  'Water the plants',
];
const DONE = 'Water the plants';

const dir = newProfileDir();
const context = await launchWithExtension(dir);
try {
  const page = await openSidePanel(context);
  await page.setViewportSize({ width: 720, height: HEIGHT });
  for (const t of TODOS) await addTodo(page, t);
  await todoItem(page, DONE).getByRole('checkbox').first().check();
  // The first-week backup reminder is dismissed, as most users will have done.
  const notNow = page.getByRole('button', { name: 'Not now' });
  if (await notNow.isVisible()) await notNow.click();
  await page
    .getByRole('button', { name: 'All' })
    .or(page.getByRole('tab', { name: 'All' }))
    .first()
    .click();
  mkdirSync(OUT, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    for (const width of [360, 720]) {
      await page.setViewportSize({ width, height: HEIGHT });
      await page.mouse.move(0, 0);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.waitForTimeout(300);
      const file = path.join(OUT, `sidepanel-${colorScheme}-${width}.png`);
      await page.screenshot({ path: file });
      console.log(`${path.relative(process.cwd(), file)} ${(statSync(file).size / 1024).toFixed(0)} KB`);
    }
  }
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
}
