import type { CaseDto } from '../../src/cases/dto/case.dto.js';
import { API, bearer, type TestApp } from './app-harness.js';

/** The commons CNC mill as a base product: 230 V, 800 W spindle, steel enclosure, no radio. */
export const MILL = {
  key: 'open-cnc-mill',
  name: 'Open CNC mill',
  designVersion: '2.1.0',
  sourceUrl: 'https://example.org/open-cnc-mill',
  attributes: {
    kind: 'machinery',
    supplyVoltageAC: 230,
    motorPowerW: 800,
    enclosureMaterial: 'steel',
    digitalCircuitry: true,
    harmonisedStandards: 'full',
    intendedUsers: 'professional',
    placingOnMarket: '2026-12-15',
  },
};

/** A small but real PDF, different for each `text`. */
export function samplePdf(text: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export async function createProduct(t: TestApp, token: string, product: typeof MILL = MILL): Promise<string> {
  const res = await t.http.post(`${API}/products`).set('Authorization', bearer(token)).send(product);
  if (res.status !== 201)
    throw new Error(`creating product failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function createVariant(
  t: TestApp,
  token: string,
  productId: string,
  key: string,
  overrides: Record<string, unknown>,
): Promise<string> {
  const res = await t.http
    .post(`${API}/products/${productId}/variants`)
    .set('Authorization', bearer(token))
    .send({ key, name: `Variant ${key}`, overrides });
  if (res.status !== 201)
    throw new Error(`creating variant failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export interface UploadOptions {
  kind: string;
  file?: Buffer;
  filename?: string;
  issuer?: string;
  issuedAt?: string;
  validUntil?: string;
  supersedes?: string;
}

/** Opens a case on a variant through the API (setup for tests about something else); its answer. */
export async function openCase(
  t: TestApp,
  token: string,
  variantId: string,
  regime: string,
  route: string,
): Promise<CaseDto> {
  const res = await t.http
    .post(`${API}/variants/${variantId}/cases`)
    .set('Authorization', bearer(token))
    .send({ regime, route });
  if (res.status !== 201) throw new Error(`opening a case failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CaseDto;
}

/** Uploads evidence to `products/{id}` or `variants/{id}`; returns the supertest response. */
export function upload(t: TestApp, token: string, owner: string, options: UploadOptions) {
  const file = options.file ?? samplePdf(`${options.kind} ${Math.random()}`);
  let req = t.http
    .post(`${API}/${owner}/evidence`)
    .set('Authorization', bearer(token))
    .field('kind', options.kind)
    .field('issuer', options.issuer ?? 'Prüflabor Nord GmbH')
    .field('issuedAt', options.issuedAt ?? '2026-10-01');
  if (options.validUntil) req = req.field('validUntil', options.validUntil);
  if (options.supersedes) req = req.field('supersedes', options.supersedes);
  return req.attach('file', file, options.filename ?? `${options.kind}.pdf`);
}

/** Uploads and accepts an evidence item; returns its id. */
export async function acceptedEvidence(
  t: TestApp,
  uploader: string,
  reviewer: string,
  owner: string,
  options: UploadOptions,
): Promise<string> {
  const res = await upload(t, uploader, owner, options);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  const review = await t.http
    .post(`${API}/evidence/${res.body.id}/review`)
    .set('Authorization', bearer(reviewer))
    .send({ decision: 'accepted', comment: 'checked' });
  if (review.status !== 200)
    throw new Error(`review failed: ${review.status} ${JSON.stringify(review.body)}`);
  return res.body.id;
}
