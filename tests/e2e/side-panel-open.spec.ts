import { expect, openPopup, test } from './fixtures';

test('the popup opens the side panel from its button and then closes itself', async ({ context }) => {
  const sw = context.serviceWorkers()[0];
  if (!sw) throw new Error('no service worker');
  const sidePanels = () =>
    sw.evaluate(() =>
      chrome.runtime
        .getContexts({ contextTypes: [chrome.runtime.ContextType.SIDE_PANEL] })
        .then((c) => c.length),
    );
  expect(await sidePanels()).toBe(0);
  const popup = await openPopup(context);
  // sidePanel.open needs the window id the popup looks up on load, and a user gesture: a real click.
  await expect
    .poll(() => popup.evaluate(() => chrome.windows.getCurrent().then((w) => w.id ?? null)))
    .not.toBeNull();
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Open side panel' }).click();
  await closed;
  await expect.poll(sidePanels).toBe(1);
});
