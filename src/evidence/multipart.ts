import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { AppError } from '../common/app-error.js';
import { textProblem } from '../common/request-body.js';
import { BlobTooLargeError, type BlobStore, type StagedBlob } from './blob-store.js';

/** A parsed evidence upload: its text fields and the staged file. */
export interface Upload {
  fields: Record<string, string>;
  file: StagedBlob;
  filename: string;
}

const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 4096;

/**
 * Reads a `multipart/form-data` request with one `file` part and a few text fields, streaming
 * the file into the blob store's temporary area. Nothing is kept when anything fails: a client
 * that aborts half-way, a file over the limit (413), a missing or second file part (400).
 */
export function readUpload(req: IncomingMessage, store: BlobStore, maxBytes: number): Promise<Upload> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    return Promise.reject(
      new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the evidence as multipart/form-data with a file part named "file".',
      ),
    );
  }
  // The bytes are stored as sent: a body the client says it compressed cannot be read here.
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    return Promise.reject(
      new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the upload without Content-Encoding (got '${encoding}').`),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) {
    return Promise.reject(tooLarge(maxBytes));
  }

  return new Promise<Upload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + 1 },
        // Browsers and curl send UTF-8 file names; busboy's default would read them as Latin-1.
        defParamCharset: 'utf8',
      });
    } catch {
      reject(new AppError('MALFORMED_REQUEST', 'The multipart body could not be read.'));
      return;
    }
    const fields: Record<string, string> = {};
    let staging: Promise<StagedBlob> | undefined;
    let filename = '';
    let failure: unknown;
    let settled = false;

    const fail = (error: unknown): void => {
      failure ??= error;
      finish();
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      // Wait for the file part (if any) to settle, so its temporary file is gone or complete.
      const staged = staging ?? Promise.resolve(undefined);
      staged.then(
        async (file) => {
          if (failure !== undefined) {
            await file?.discard();
            reject(failure);
          } else if (!file) {
            reject(AppError.validation([{ field: 'file', message: 'a file part named "file" is required' }]));
          } else {
            resolve({ fields, file, filename });
          }
        },
        (error: unknown) =>
          reject(failure ?? (error instanceof BlobTooLargeError ? tooLarge(maxBytes) : error)),
      );
      if (failure !== undefined) req.resume();
    };

    parser.on('file', (name, stream, info) => {
      // The parser may still hold parts of a request that has already failed: stage nothing more.
      if (settled) {
        stream.resume();
        return;
      }
      if (name !== 'file' || staging) {
        stream.resume();
        fail(
          AppError.validation([{ field: name, message: 'exactly one file part named "file" is allowed' }]),
        );
        return;
      }
      filename = info.filename ?? '';
      staging = store.stage(stream, maxBytes);
      staging.catch((error: unknown) =>
        fail(error instanceof BlobTooLargeError ? tooLarge(maxBytes) : error),
      );
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        fail(AppError.validation([{ field: name, message: `must be at most ${MAX_FIELD_BYTES} bytes` }]));
        return;
      }
      const problem = textProblem(value);
      if (problem) {
        fail(AppError.validation([{ field: name, message: problem }]));
        return;
      }
      if (name in fields) {
        fail(AppError.validation([{ field: name, message: 'is given more than once' }]));
        return;
      }
      fields[name] = value;
    });
    parser.on('filesLimit', () =>
      fail(AppError.validation([{ field: 'file', message: 'only one file is allowed' }])),
    );
    parser.on('fieldsLimit', () =>
      fail(AppError.validation([{ field: 'fields', message: 'too many fields' }])),
    );
    parser.on('partsLimit', () => fail(AppError.validation([{ field: 'parts', message: 'too many parts' }])));
    parser.on('error', () => fail(new AppError('MALFORMED_REQUEST', 'The multipart body is malformed.')));
    parser.on('close', finish);
    // A client that goes away mid-upload: stop, and let the staged temporary file be removed.
    req.on('aborted', () => {
      const error = new Error('client aborted the upload');
      parser.destroy(error);
      fail(error);
    });
    req.pipe(parser);
  });
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `Evidence files may be at most ${maxBytes} bytes.`, {
    limit: maxBytes,
  });
}
