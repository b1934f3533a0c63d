/**
 * A TCP proxy in the test process that sits between browsers and the relay and keeps every byte it
 * forwards, per connection and direction. Relay→browser WebSocket frames are unmasked, so anything
 * the relay could read in plain text shows up verbatim here — once compression is out of the way:
 * Chromium offers permessage-deflate and workerd accepts it, which would hide a plain-text title from
 * a byte search. The tap drops that offer from the upgrade request, so frames travel uncompressed.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TappedStream {
  direction: 'to-relay' | 'from-relay';
  bytes: () => Buffer;
}

export interface Wiretap {
  url: string;
  port: number;
  streams: TappedStream[];
  /**
   * From now on, a connection whose upgrade request matches forwards at most `bytes` to the relay
   * and then silently swallows the rest: a device whose stream stalls mid-sync, deterministically.
   */
  choke(match: (requestHead: string) => boolean, bytes: number): void;
  /** True if `text` (UTF-8) occurs in any captured stream. */
  saw(text: string): boolean;
  close(): Promise<void>;
}

export async function startWiretap(target: { host: string; port: number }): Promise<Wiretap> {
  const streams: TappedStream[] = [];
  let choke: { match: (head: string) => boolean; bytes: number } | null = null;
  const sockets = new Set<Socket>();
  const tap = (direction: TappedStream['direction']) => {
    const chunks: Buffer[] = [];
    streams.push({ direction, bytes: () => Buffer.concat(chunks) });
    return (chunk: Buffer) => chunks.push(chunk);
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const record = tap('to-relay');
    let budget = Infinity;
    const toRelay = (chunk: Buffer) => {
      const out = chunk.subarray(0, Math.max(0, Math.min(chunk.length, budget)));
      budget -= out.length;
      record(out);
      if (out.length > 0) upstream.write(out);
    };
    let head: Buffer | null = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (head === null) return toRelay(chunk);
      // Hold the request head until it is complete, then forward it without the extensions offer.
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = head
        .subarray(0, end + 4)
        .toString('latin1')
        .replace(/^Sec-WebSocket-Extensions:[^\r]*\r\n/im, '');
      const out = Buffer.concat([Buffer.from(text, 'latin1'), head.subarray(end + 4)]);
      head = null;
      if (choke?.match(text)) budget = choke.bytes;
      toRelay(out);
    });
    // A browser that goes away takes its relay connection with it, as it would without the tap.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.on('data', tap('from-relay'));
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('wiretap has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    streams,
    choke(match, bytes) {
      choke = { match, bytes };
    },
    saw: (text) => streams.some((s) => s.bytes().includes(Buffer.from(text, 'utf8'))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
