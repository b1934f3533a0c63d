/**
 * `text` cut to at most `max` UTF-16 units plus "…", never inside a surrogate pair (an emoji is kept
 * whole or left out); unchanged when it fits.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
