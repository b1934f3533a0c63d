/**
 * Binding parameters and reading columns through SQLite WASM's raw C exports instead of oo1's
 * generic `bind()`/`get()`. oo1 inspects, converts and allocates per value; here every string of one
 * statement is UTF-8-encoded into a single WASM buffer with `encodeInto` and bound in place
 * (SQLITE_STATIC), and text columns are decoded straight from the heap. Inserting 100,000 synced
 * rows took 1.8 s through oo1 and 0.3 s this way in Node (SQLite's own share is ~0.25 s).
 *
 * The values are those of the `Sql` port: strings, numbers, null and bytes. Integers come back as
 * numbers (exact up to 2^53, as before), never BigInt, because runtime messaging cannot carry BigInt.
 */
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm';
import type { SqlValue } from './sql';

/** The raw exports used here (C signatures; pointers are numbers, i64 is BigInt). */
interface RawExports {
  sqlite3_bind_parameter_count(stmt: number): number;
  sqlite3_bind_text(stmt: number, i: number, ptr: number, bytes: number, destructor: number): number;
  sqlite3_bind_blob(stmt: number, i: number, ptr: number, bytes: number, destructor: number): number;
  sqlite3_bind_int(stmt: number, i: number, v: number): number;
  sqlite3_bind_int64(stmt: number, i: number, v: bigint): number;
  sqlite3_bind_double(stmt: number, i: number, v: number): number;
  sqlite3_bind_null(stmt: number, i: number): number;
  sqlite3_column_type(stmt: number, i: number): number;
  sqlite3_column_double(stmt: number, i: number): number;
  sqlite3_column_text(stmt: number, i: number): number;
  sqlite3_column_blob(stmt: number, i: number): number;
  sqlite3_column_bytes(stmt: number, i: number): number;
}

const SQLITE_STATIC = 0;
const SQLITE_INTEGER = 1;
const SQLITE_FLOAT = 2;
const SQLITE_TEXT = 3;
const SQLITE_BLOB = 4;

export interface WasmValues {
  /**
   * Binds `params` to the statement at `stmt`; returns the buffer holding their bytes, which must stay
   * allocated until the statement has been reset with its bindings cleared (then `release` it).
   */
  bind(stmt: number, params: readonly SqlValue[]): number;
  release(buffer: number): void;
  /** The current row, its columns named by `names` (in column order). */
  row(stmt: number, names: readonly string[]): Record<string, SqlValue>;
}

export function createWasmValues(sqlite3: Sqlite3Static): WasmValues {
  const { wasm, capi } = sqlite3;
  const raw = wasm.exports as unknown as RawExports;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const check = (rc: number, i: number) => {
    if (rc !== 0) throw new Error(`SQLite could not bind parameter ${i}: ${capi.sqlite3_errstr(rc)}`);
  };

  const column = (stmt: number, i: number): SqlValue => {
    switch (raw.sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
      case SQLITE_FLOAT:
        return raw.sqlite3_column_double(stmt, i);
      case SQLITE_TEXT: {
        // column_text first, then column_bytes (the order the C API asks for).
        const ptr = raw.sqlite3_column_text(stmt, i);
        const len = raw.sqlite3_column_bytes(stmt, i);
        return len === 0 ? '' : decoder.decode(wasm.heap8u().subarray(ptr, ptr + len));
      }
      case SQLITE_BLOB: {
        const ptr = raw.sqlite3_column_blob(stmt, i);
        const len = raw.sqlite3_column_bytes(stmt, i);
        return wasm.heap8u().slice(ptr, ptr + len);
      }
      default:
        return null;
    }
  };

  // A row's text columns are copied side by side into `scratch` and decoded with one call, the
  // reverse of bind's one encodeInto: a decode costs ~0.5 µs in Chromium whatever its length, which
  // was 0.7 s of a 100,000-todo sync's sending side (13 text columns a row). When the text is as
  // long as its UTF-8, every byte decoded to one unit (no byte sequence merged, within a column or
  // across two), so each column is a slice; otherwise each is decoded on its own.
  let scratch = 0;
  let scratchBytes = 0;
  const textAt: number[] = [];
  const textLen: number[] = [];
  const textCol: number[] = [];
  const row = (stmt: number, names: readonly string[]): Record<string, SqlValue> => {
    const out: Record<string, SqlValue> = {};
    let texts = 0;
    let total = 0;
    for (let i = 0; i < names.length; i++) {
      if (raw.sqlite3_column_type(stmt, i) !== SQLITE_TEXT) {
        out[names[i]!] = column(stmt, i);
        continue;
      }
      out[names[i]!] = ''; // keeps the keys in column order
      const ptr = raw.sqlite3_column_text(stmt, i);
      const len = raw.sqlite3_column_bytes(stmt, i);
      textAt[texts] = ptr;
      textLen[texts] = len;
      textCol[texts] = i;
      texts++;
      total += len;
    }
    if (texts === 0) return out;
    if (texts > 1 && total > scratchBytes) {
      // Allocated before the old one is freed: an allocation that throws leaves the old one in use.
      const size = Math.max(total, scratchBytes * 2, 4096);
      const bigger = wasm.alloc(size) as number;
      if (scratch) wasm.dealloc(scratch);
      scratch = bigger;
      scratchBytes = size;
    }
    const heap = wasm.heap8u();
    if (texts > 1) {
      let at = scratch;
      for (let t = 0; t < texts; t++) {
        heap.copyWithin(at, textAt[t]!, textAt[t]! + textLen[t]!);
        at += textLen[t]!;
      }
      const all = decoder.decode(heap.subarray(scratch, scratch + total));
      if (all.length === total) {
        let from = 0;
        for (let t = 0; t < texts; t++) {
          out[names[textCol[t]!]!] = all.slice(from, from + textLen[t]!);
          from += textLen[t]!;
        }
        return out;
      }
    }
    for (let t = 0; t < texts; t++)
      out[names[textCol[t]!]!] =
        textLen[t] === 0 ? '' : decoder.decode(heap.subarray(textAt[t]!, textAt[t]! + textLen[t]!));
    return out;
  };

  return {
    row,
    bind(stmt, params) {
      const expected = raw.sqlite3_bind_parameter_count(stmt);
      if (params.length !== expected)
        throw new RangeError(`the statement takes ${expected} parameters, ${params.length} given`);
      // The statement's strings are encoded together, with one `encodeInto` of their concatenation:
      // each call costs ~0.7 µs in Chromium, which was 0.9 s of a 100,000-todo first sync (13 strings a
      // row). When that UTF-8 is as long as the text, every string is ASCII (ids, stamps, most titles)
      // and each one's bytes start where its characters do; otherwise each string is encoded on its
      // own. UTF-8 needs at most 3 bytes per UTF-16 unit; +1 per string so an empty one still gets a
      // real (non-NULL) pointer. Blobs follow the strings.
      const strings: string[] = [];
      let textBytes = 0;
      let blobBytes = 0;
      for (const v of params) {
        if (typeof v === 'string') {
          strings.push(v);
          textBytes += v.length * 3 + 1;
        } else if (v instanceof Uint8Array) blobBytes += v.length + 1;
      }
      const bytes = textBytes + blobBytes;
      const buffer = bytes > 0 ? (wasm.alloc(bytes) as number) : 0;
      try {
        const heap = wasm.heap8u();
        let packed = false;
        if (strings.length > 1) {
          const joined = strings.join('');
          packed =
            encoder.encodeInto(joined, heap.subarray(buffer, buffer + textBytes)).written === joined.length;
        }
        let at = buffer;
        let blobAt = buffer + textBytes;
        for (let i = 0; i < params.length; i++) {
          const v: unknown = params[i];
          const n = i + 1;
          if (typeof v === 'string') {
            const written = packed
              ? v.length
              : encoder.encodeInto(v, heap.subarray(at, at + v.length * 3)).written;
            check(raw.sqlite3_bind_text(stmt, n, at, written, SQLITE_STATIC), n);
            at += packed ? written : written + 1;
          } else if (typeof v === 'number') {
            if ((v | 0) === v) check(raw.sqlite3_bind_int(stmt, n, v), n);
            else if (Number.isSafeInteger(v)) check(raw.sqlite3_bind_int64(stmt, n, BigInt(v)), n);
            else check(raw.sqlite3_bind_double(stmt, n, v), n);
          } else if (v === null || v === undefined) {
            check(raw.sqlite3_bind_null(stmt, n), n);
          } else if (v instanceof Uint8Array) {
            heap.set(v, blobAt);
            check(raw.sqlite3_bind_blob(stmt, n, blobAt, v.length, SQLITE_STATIC), n);
            blobAt += v.length + 1;
          } else if (typeof v === 'boolean') {
            check(raw.sqlite3_bind_int(stmt, n, v ? 1 : 0), n);
          } else if (typeof v === 'bigint') {
            check(raw.sqlite3_bind_int64(stmt, n, v), n);
          } else {
            throw new TypeError(`cannot bind a ${typeof v} as parameter ${n}`);
          }
        }
      } catch (e) {
        if (buffer) wasm.dealloc(buffer);
        throw e;
      }
      return buffer;
    },
    release(buffer) {
      if (buffer) wasm.dealloc(buffer);
    },
  };
}
