import { connect } from 'node:net';
import { expect } from '@jest/globals';

/** What a response looks like to the checks below (supertest's and rawRequest's both fit). */
export interface ProbedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Stack frames, SQL, driver and library names: nothing of the inside may reach a client. */
const LEAK =
  /\bat .+\.[cm]?[jt]s:\d+|node_modules\/|\b(SELECT .+ FROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b|SQLITE_|QueryFailedError|TypeORM|syntax error at or near|violates .+ constraint|(Range|Type|Reference|Syntax)Error/;

/** An error answer shows nothing of the service's inside (no stack trace, no SQL, no driver). */
export function expectNoLeak(res: ProbedResponse): void {
  const match = LEAK.exec(res.text ?? '');
  if (match) throw new Error(`response ${res.status} leaks '${match[0]}': ${res.text.slice(0, 500)}`);
}

/** An RFC 9457 problem document with this status (any 4xx when omitted). */
export function expectProblem(res: ProbedResponse, status?: number): void {
  if (status !== undefined) {
    if (res.status !== status) {
      throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
    }
  } else if (res.status < 400 || res.status >= 500) {
    throw new Error(`expected a 4xx problem, got ${res.status}: ${res.text.slice(0, 500)}`);
  }
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body.status).toBe(res.status);
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expectNoLeak(res);
}

export interface RawResponse extends ProbedResponse {
  /** The connection closed (or timed out) before a complete response arrived. */
  incomplete: boolean;
}

/**
 * Sends bytes exactly as given over a fresh TCP connection (for what HTTP clients refuse to
 * send: Content-Length mismatches, broken framing) and parses the first response. With
 * `abortAfterMs` the client goes away after that long without reading an answer.
 */
export function rawRequest(
  baseUrl: string,
  bytes: string | Buffer,
  options: { timeoutMs?: number; abortAfterMs?: number } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (incomplete: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const head = end >= 0 ? text.slice(0, end) : text;
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
      resolve({ status, headers, text: end >= 0 ? text.slice(end + 4) : '', incomplete });
    };
    const complete = (): boolean => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const length = /\r\ncontent-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'));
      return length !== null && data.length >= end + 4 + Number(length[1]);
    };
    const timer = setTimeout(() => finish(true), options.abortAfterMs ?? options.timeoutMs ?? 3000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (options.abortAfterMs === undefined && complete()) finish(false);
    });
    socket.on('close', () => finish(!complete()));
    socket.on('error', () => finish(true));
    socket.write(bytes);
  });
}

export interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body; `close: false` leaves out the closing boundary. */
export function multipartBody(boundary: string, parts: Part[], close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      `Content-Disposition: form-data; name="${part.name}"` +
      (part.filename !== undefined ? `; filename="${part.filename}"` : '');
    const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\n${disposition}${type}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Waits until `check` holds, polling, for at most `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check()) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
