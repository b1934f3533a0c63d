/**
 * Keyboard shortcuts inside the side panel's list (issue 12), like Gmail's and Todoist's: single
 * keys that act only when no text field has focus, so typing a todo never triggers one.
 */

export type ShortcutAction = 'next' | 'previous' | 'complete' | 'edit' | 'new' | 'search' | 'help';

/** What the help dialog lists, in order. */
export const SHORTCUTS: readonly { key: string; action: ShortcutAction; label: string }[] = [
  { key: 'j', action: 'next', label: 'Next todo' },
  { key: 'k', action: 'previous', label: 'Previous todo' },
  { key: 'x', action: 'complete', label: 'Complete or reopen the todo' },
  { key: 'e', action: 'edit', label: 'Edit the todo' },
  { key: 'n', action: 'new', label: 'New todo' },
  { key: '/', action: 'search', label: 'Search' },
  { key: '?', action: 'help', label: 'Show these shortcuts' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Whether focus is in something that takes typing (input, textarea, select, contenteditable). */
  typing: boolean;
}

/** The shortcut a key press means, or null (modifiers, typing in a field, any other key). */
export function shortcutFor(e: KeyLike): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.typing) return null;
  return SHORTCUTS.find((s) => s.key === e.key)?.action ?? null;
}

/** A checkbox is not a place for typing: x and j/k must work while a row's checkbox has focus. */
export function isTypingTarget(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLElement && el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
}
