/**
 * The context-menu clicks both capture tests give the browser's listener (tests/e2e/capture.spec.ts in Chromium,
 * tests/e2e-firefox/capture.test.ts in Firefox), and what each must save. Data only: loaded by Playwright and by
 * the Firefox vitest config alike.
 */

/** A click as the browser reports it: the menu's info and the tab it was given in. */
export interface CaptureClick {
  info: { menuItemId: string } & Record<string, string>;
  tab: { title: string; url?: string };
}

export const CAPTURE_CLICKS: readonly CaptureClick[] = [
  {
    info: { menuItemId: 'tt-add-link', linkUrl: 'https://example.com/article', linkText: 'A good article' },
    tab: { title: 'Blog', url: 'https://example.com/' },
  },
  {
    info: { menuItemId: 'tt-add-page', pageUrl: 'https://shop.example/kettle' },
    tab: { title: 'Blue kettle' },
  },
  {
    info: {
      menuItemId: 'tt-add-selection',
      selectionText: 'Renew passport',
      pageUrl: 'https://gov.example/',
    },
    tab: { title: 'Gov' },
  },
  {
    info: { menuItemId: 'tt-add-link', linkUrl: 'javascript:alert(1)', linkText: 'Sneaky' },
    tab: { title: 'Evil' },
  },
];

/** The todos those clicks save that carry a link, each opening in a new tab. */
export const SAVED_LINKS: readonly { title: string; href: string }[] = [
  { title: 'A good article', href: 'https://example.com/article' },
  { title: 'Blue kettle', href: 'https://shop.example/kettle' },
  { title: 'Renew passport', href: 'https://gov.example/' },
];

/** The todo saved from a javascript: link: its URL is kept as text, never a link. */
export const SAVED_AS_TEXT = { title: 'Sneaky', text: 'javascript:alert(1)' } as const;

/** Every title the clicks save, in list order. */
export const CAPTURED_TITLES = [...SAVED_LINKS.map((l) => l.title), SAVED_AS_TEXT.title];
