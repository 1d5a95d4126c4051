import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { DossierModel } from '../dossier-model.js';
import { PAGE, TEXT_WIDTH } from './page-layout.js';
import {
  createMeasurer,
  dossierFonts,
  forgetGlyphLayouts,
  renderDossier,
  type RenderResult,
} from './render-dossier.js';
import { sampleDossierModel } from './sample-dossier.js';

/*
 * Renders the sample dossier (a CNC mill variant for the EU: 40 evidence items, 3 cases, stale and
 * current signatures, 5 audit streams) and reads it back with real PDF tools: qpdf and poppler's
 * pdftotext, pdfinfo and pdffonts.
 */

const SECTIONS = [
  ['1', 'Product and variant'],
  ['2', 'Applicable legislation'],
  ['3', 'Conformity-assessment cases'],
  ['4', 'Requirements and evidence'],
  ['5', 'Evidence index'],
  ['6', 'Signatures'],
  ['7', 'Audit trail'],
  ['8', 'Draft declaration of conformity'],
  ['9', 'How to verify this dossier'],
];

let dir: string;
let model: DossierModel;
let pdfPath: string;
let result: RenderResult;
/** pdftotext -layout, one string per page. */
let pages: string[];
/** pdftotext -raw, spaces collapsed: a paragraph or a field's wrapped lines read as one string. */
let prose: string;

const tool = (command: string, ...args: string[]) =>
  execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certflow-dossier-'));
  model = sampleDossierModel();
  pdfPath = join(dir, 'dossier.pdf');
  result = await renderDossier(model, pdfPath);
  pages = tool('pdftotext', '-layout', pdfPath, '-').split('\f').slice(0, -1);
  prose = tool('pdftotext', '-raw', pdfPath, '-').replace(/\s+/g, ' ');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderDossier', () => {
  it('writes a well-formed PDF and reports its pages, size and SHA-256', () => {
    const check = spawnSync('qpdf', ['--check', pdfPath], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('No syntax or stream encoding errors found');

    const bytes = readFileSync(pdfPath);
    expect(result.bytes).toBe(bytes.length);
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(tool('pdfinfo', pdfPath)).toMatch(new RegExp(`^Pages:\\s+${result.pages}$`, 'm'));
    expect(pages).toHaveLength(result.pages);
    expect(result.pages).toBeGreaterThan(15);
    expect(readdirSync(dir)).toEqual(['dossier.pdf']);
  });

  it('sets the document information from the model, not the clock', () => {
    const info = tool('pdfinfo', '-isodates', pdfPath);
    expect(info).toMatch(/^Title:\s+Technical file: OpenMill 3 Wi-Fi, Łódź edition$/m);
    expect(info).toContain(model.id);
    expect(info).toMatch(new RegExp(`^CreationDate:\\s+${model.date.slice(0, 19)}Z$`, 'm'));
    expect(info).toMatch(new RegExp(`^ModDate:\\s+${model.date.slice(0, 19)}Z$`, 'm'));
  });

  it('embeds subsets of the Unicode fonts, so names with diacritics come back as text', () => {
    const fonts = tool('pdffonts', pdfPath).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThanOrEqual(3);
    for (const font of fonts)
      expect(font).toMatch(/\+DejaVuSans\S*\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    const text = pages.join('\n');
    for (const name of [
      'Prüflabor Łódź GmbH',
      'Ørsted',
      'Zoë Ångström',
      'Łukasz Żółkiewski',
      '✓ held',
      '✗ failed',
      '→',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('names the product, the variant, the organisation and the market on the cover', () => {
    const cover = pages[0];
    for (const expected of [
      'Technical file',
      model.product.name,
      model.variant.name,
      model.variant.key,
      'Warsztat Frezarski Łódź Sp. z o.o.',
      'European Union (EU)',
      model.id,
      model.manifestSha256,
      model.contentVersion,
    ]) {
      expect(cover).toContain(expected);
    }
  });

  it('lists every section in the contents with the page it starts on', () => {
    const entries = [...pages[1].matchAll(/^\s*(\d+(?:\.\d+)?)\s+(\S.*?)\s*\.{3,}\s*(\d+)\s*$/gm)].map(
      (m) => ({
        number: m[1],
        title: m[2],
        page: Number(m[3]),
      }),
    );
    expect(entries.filter((e) => !e.number.includes('.')).map((e) => [e.number, e.title])).toEqual(SECTIONS);
    // Subsections: the six EU regimes, the three cases, the five audit streams.
    expect(entries.filter((e) => e.number.startsWith('2.'))).toHaveLength(6);
    expect(entries.filter((e) => e.number.startsWith('3.'))).toHaveLength(3);
    expect(entries.filter((e) => e.number.startsWith('7.'))).toHaveLength(5);

    for (const entry of entries) {
      // Read each page on its own, as a reader jumping there would.
      const page = tool(
        'pdftotext',
        '-layout',
        '-f',
        String(entry.page),
        '-l',
        String(entry.page),
        pdfPath,
        '-',
      );
      expect(page).toMatch(new RegExp(`^\\s*${escape(entry.number)}\\s+${escape(entry.title)}\\s*$`, 'm'));
    }
    for (const [number, title] of SECTIONS) {
      const entry = entries.find((e) => e.number === number);
      // A main section starts at the top of its page, so the page before does not show its heading.
      const before = pages[(entry?.page ?? 0) - 2];
      expect(before).not.toMatch(new RegExp(`^\\s*${number}\\s+${escape(title)}\\s*$`, 'm'));
    }
  });

  it('prints "Page X of Y" on every page', () => {
    pages.forEach((text, i) => expect(text).toMatch(new RegExp(`Page ${i + 1} of ${result.pages}\\s*$`)));
  });

  it('prints every hash in full, each as one contiguous string', () => {
    const text = pages.join('\n');
    const hashes = [
      model.manifestSha256,
      model.contentVersion,
      ...model.evidence.map((e) => e.sha256),
      ...model.signatures.flatMap((s) => [s.sha256, ...s.coveredEvidence.map((c) => c.sha256)]),
      ...model.audit.map((a) => a.head),
      ...model.cases.map((c) => c.workflow.hash),
    ];
    for (const hash of hashes) expect(text).toMatch(new RegExp(`(^|[^0-9a-f])${hash}([^0-9a-f]|$)`));
    for (const record of model.audit.flatMap((a) => a.records))
      expect(text).toContain(record.hash.slice(0, 16));
  });

  it('shows the changes, the legislation with reasons, the cases, the matrix, the signatures and the declaration', () => {
    const text = prose;
    for (const change of model.changes) expect(text).toContain(`${change.attribute} `);
    expect(text).toContain('motorPowerW drive power 400 W 750 W');
    expect(text).toContain('eu-lvd: Low Voltage Directive');
    expect(text).toContain('no: the conditions below do not hold for this variant');
    expect(text).toContain('2006/42/EC Annex I 1.5.1');
    for (const c of model.cases) expect(text).toContain(c.id);
    for (const c of model.cases) expect(text).toContain(`${c.state}: ${c.stateDescription}`);
    // Table cells wrap beside their neighbours, so check the first line of these.
    expect(text).toContain('missing: no evidence of this kind has');
    expect(text).toContain('no: the risk');
    expect(text).toContain(`EU declaration of conformity No. ${model.id}`);
    const declaration = pages.find((p) => p.includes('Legislation declared')) ?? '';
    for (const act of model.declaration.acts)
      expect(declaration).toContain(act.legalReference.split(' as ')[0]);
    expect(declaration).not.toContain('Directive 2014/35/EU');
    expect(text).toContain('RFC 8785');
  });

  it('cuts nothing off: long file names wrap inside the page and come back whole', () => {
    const bbox = tool('pdftotext', '-bbox', pdfPath, '-');
    const words = [
      ...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">/g),
    ].map((m) => m.slice(1).map(Number));
    expect(words.length).toBeGreaterThan(5000);
    const left = (PAGE.width - TEXT_WIDTH) / 2;
    for (const [xMin, yMin, xMax, yMax] of words) {
      expect(xMin).toBeGreaterThanOrEqual(left - 1);
      expect(xMax).toBeLessThanOrEqual(left + TEXT_WIDTH + 1);
      expect(yMin).toBeGreaterThanOrEqual(0);
      expect(yMax).toBeLessThanOrEqual(PAGE.height);
    }
    // In content-stream order the pieces of a wrapped name follow each other.
    const raw = tool('pdftotext', '-raw', pdfPath, '-').replace(/\s+/g, '');
    for (const e of model.evidence) expect(raw).toContain(e.originalName.replace(/\s+/g, ''));
    expect(raw).toContain((model.product.sourceUrl ?? '').replace(/\s+/g, ''));
  });

  it('gives byte-identical output for the same model, and a different document id for another', async () => {
    const again = await renderDossier(sampleDossierModel(), join(dir, 'again.pdf'));
    expect(again).toEqual(result);
    expect(readFileSync(join(dir, 'again.pdf')).equals(readFileSync(pdfPath))).toBe(true);

    const later = { ...sampleDossierModel(), date: '2025-12-24T10:00:00.000Z' };
    const changed = await renderDossier(later, join(dir, 'later.pdf'));
    expect(changed.sha256).not.toBe(result.sha256);
    const id = (path: string) => /\/ID \[<([0-9a-f]+)>/.exec(readFileSync(path, 'latin1'))?.[1];
    expect(id(join(dir, 'later.pdf'))).not.toBe(id(pdfPath));
    rmSync(join(dir, 'again.pdf'));
    rmSync(join(dir, 'later.pdf'));
  });

  it('leaves nothing behind when it cannot write', async () => {
    await expect(renderDossier(model, join(dir, 'missing', 'dossier.pdf'))).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

describe('measuring', () => {
  it('sums monospaced ASCII exactly as pdfkit shapes it', () => {
    const measure = createMeasurer();
    const pdf = new PDFDocument({ autoFirstPage: false });
    pdf.registerFont('mono', dossierFonts().mono);
    pdf.font('mono').fontSize(10);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: 1 + (next() % 30) }, () =>
        String.fromCharCode(0x20 + (next() % 95)),
      ).join('');
      expect(measure.width('mono', 10, text)).toBeCloseTo(pdf.widthOfString(text), 6);
    }
    // Outside ASCII it shapes: a soft hyphen has no width once shaped.
    expect(measure.width('mono', 10, 'a\u00adb')).toBeCloseTo(pdf.widthOfString('a\u00adb'), 6);
  });

  it('can empty pdfkit’s glyph-layout caches (pdfkit internals the renderer relies on)', () => {
    const pdf = new PDFDocument({ autoFirstPage: false });
    pdf.registerFont('regular', dossierFonts().regular);
    pdf.addPage();
    pdf.font('regular').text('Prüflabor Łódź', 50, 50, { lineBreak: false });
    expect(forgetGlyphLayouts(pdf)).toBeGreaterThanOrEqual(1);
  });
});
