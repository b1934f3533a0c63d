/**
 * The name a device shows its peer ("Syncing with Chrome on Linux · 3f9a"). Derived, not asked for:
 * pairing should need no typing. The short id tells two profiles of one browser apart.
 */
import type { DeviceId } from '../model/ids';

const BROWSERS: [RegExp, string][] = [
  [/Firefox\//, 'Firefox'],
  [/Edg\//, 'Edge'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** What kind of device this is, for the Devices view (travels in a circle JOIN). */
export const DEVICE_KINDS = ['chrome', 'firefox', 'phone', 'browser'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export function deviceKind(userAgent: string): DeviceKind {
  if (/Android|iPhone|iPad|Mobile/.test(userAgent)) return 'phone';
  if (/Firefox\//.test(userAgent)) return 'firefox';
  if (/Chrom(e|ium)\/|Edg\//.test(userAgent)) return 'chrome';
  return 'browser';
}

export function deviceLabel(userAgent: string, deviceId: DeviceId): string {
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1] ?? 'Browser';
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  return `${browser}${system ? ` on ${system}` : ''} · ${deviceId.slice(0, 4)}`;
}
