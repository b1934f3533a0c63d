/**
 * The one UUID pattern and the one HLC pattern: ids, stamps, the wire schemas and the relay all test
 * against these (the relay imports this file and nothing else of the model).
 */

/** Lowercase RFC 4122 text form: device, session and room ids. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `${wall, base 36, 9}.${counter, base 36, 4}.${device uuid}`, see hlc.ts. */
export const HLC_RE = /^[0-9a-z]{9}\.[0-9a-z]{4}\.[0-9a-f-]{36}$/;
