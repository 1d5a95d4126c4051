import { fileTypeFromBuffer } from 'file-type';

/**
 * The media type of a file, detected from its first bytes, never taken from the client: binary
 * formats by their signatures, then UTF-8 text (with a few structured text formats), else
 * application/octet-stream.
 */
export async function detectMediaType(head: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  if (detected) return detected.mime;
  if (!looksLikeText(head)) return 'application/octet-stream';
  const text = head.toString('utf8').trimStart();
  if (/^<\?xml|^<svg[\s>]/i.test(text)) return text.includes('<svg') ? 'image/svg+xml' : 'application/xml';
  if (/^[{[]/.test(text)) return 'application/json';
  return 'text/plain';
}

/** UTF-8 without control characters other than tab, newline, carriage return and form feed. */
function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  // Ignore a multi-byte character cut off at the end of the sniffed window.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(
    head.subarray(0, Math.max(0, head.length - 3)),
  );
  if (text.includes('\uFFFD')) return false;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  return !/[\x00-\x08\x0B\x0E-\x1F\x7F]/.test(text);
}
