/**
 * Renders the toolbar icons from public/icon.svg and takes docs/screenshot.png from the real side
 * panel page with a few todos. Run after a test build: `npx wxt build --mode test && npx jiti tests/e2e/make-assets.ts`.
 */
import { chromium } from '@playwright/test';
import { readFileSync, rmSync } from 'node:fs';
import { CHROMIUM, addTodo, launchWithExtension, newProfileDir, openSidePanel, todoItem } from './fixtures';

async function icons() {
  const svg = readFileSync('public/icon.svg', 'utf8');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  for (const size of [16, 32, 48, 128]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{width:${size}px;height:${size}px;display:block}</style>${svg}`,
    );
    await page.screenshot({ path: `public/icon/${size}.png`, omitBackground: true });
    await page.close();
  }
  await browser.close();
}

async function screenshot() {
  const dir = newProfileDir();
  const ctx = await launchWithExtension(dir);
  try {
    const panel = await openSidePanel(ctx);
    await panel.setViewportSize({ width: 420, height: 640 });
    for (const t of [
      'Renew passport',
      'Book dentist appointment',
      'Buy oat milk',
      'Send the Q3 report to Ana',
    ])
      await addTodo(panel, t);
    const edit = async (title: string, priority: string, due: string, description = '') => {
      await todoItem(panel, title)
        .getByRole('button', { name: `Edit ${title}` })
        .click();
      if (description) await panel.getByRole('textbox', { name: 'Description' }).fill(description);
      await panel.getByRole('combobox', { name: 'Priority' }).selectOption(priority);
      await panel.getByRole('textbox', { name: 'Due date' }).fill(due);
      await panel.getByRole('button', { name: 'Save' }).click();
      await todoItem(panel, title)
        .getByRole('button', { name: `Edit ${title}` })
        .waitFor();
    };
    await edit('Send the Q3 report to Ana', 'high', '2026-11-20', 'Numbers are in the shared sheet');
    await edit('Renew passport', 'medium', '2027-01-10');
    await todoItem(panel, 'Buy oat milk').getByRole('checkbox', { name: 'Complete Buy oat milk' }).check();
    await panel.getByRole('textbox', { name: 'New todo' }).blur();
    await panel.screenshot({ path: 'docs/screenshot.png' });
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await icons();
await screenshot();
