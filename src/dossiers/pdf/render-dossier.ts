import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import PDFDocument from 'pdfkit';
import type { DossierModel } from '../dossier-model.js';
import { dossierDocument, type FontName, type Tone } from './dossier-document.js';
import {
  layoutDocument,
  measuringSurface,
  PAGE,
  type LayoutResult,
  type Surface,
  type TextMeasurer,
  type TextStyle,
} from './page-layout.js';

/*
 * The only module that touches pdfkit. It measures text with the embedded fonts, runs the layout
 * twice (measure, then draw) and streams the PDF to the output file as pdfkit produces it: pages
 * are finished and written one at a time (no `bufferPages`), so memory does not grow with pages.
 */

export interface RenderResult {
  pages: number;
  sha256: string;
  bytes: number;
}

/**
 * Renders the dossier to `outputPath`: written next to it as `<outputPath>.<pid>.<random>.partial`
 * (unique, so instances sharing the folder never write the same file), fsynced, renamed and the
 * folder fsynced, so the path never holds a half-written PDF and a finished one survives a power
 * loss. The same model gives the same bytes.
 * CPU-bound and synchronous in between: call it from a worker (`DossierRenderer`), not on the
 * request path.
 */
export async function renderDossier(model: DossierModel, outputPath: string): Promise<RenderResult> {
  const document = dossierDocument(model);
  const measurer = createMeasurer();
  const plan = layoutDocument(document, measurer, measuringSurface);

  const partial = `${outputPath}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  const file = new HashingFile(partial);
  try {
    const pdf = new PDFDocument({
      size: [PAGE.width, PAGE.height],
      margin: 0,
      autoFirstPage: false,
      bufferPages: false,
      lang: 'en',
      displayTitle: true,
      // pdfkit derives the document /ID from `info`: everything here comes from the model.
      info: {
        Title: document.info.title,
        Author: document.info.author,
        Subject: document.info.subject,
        Keywords: document.info.keywords,
        Creator: 'certflow',
        Producer: 'certflow with PDFKit',
        CreationDate: document.info.date,
        ModDate: document.info.date,
      },
    });
    for (const [name, bytes] of Object.entries(dossierFonts())) pdf.registerFont(name, bytes);
    pdf.on('data', (chunk: Uint8Array) => file.write(chunk));
    const ended = new Promise<void>((resolve, reject) => {
      pdf.on('end', resolve);
      pdf.on('error', reject);
    });
    // Once the stream flows, pdfkit hands each chunk to the listener as it produces it.
    await nextTurn();

    const drawn = layoutDocument(document, measurer, new PdfkitSurface(pdf), plan);
    assertSamePagination(plan, drawn);
    pdf.end();
    await ended;
    const result = { pages: drawn.pages, ...file.finish() };
    renameSync(partial, outputPath);
    syncDirectory(dirname(outputPath));
    return result;
  } catch (error) {
    file.abandon();
    throw error;
  }
}

function assertSamePagination(plan: LayoutResult, drawn: LayoutResult): void {
  const same =
    plan.pages === drawn.pages &&
    plan.headings.length === drawn.headings.length &&
    plan.headings.every((h, i) => h.page === drawn.headings[i].page);
  if (!same) throw new Error('dossier layout differs between the measuring and the drawing pass');
}

const FONT_FILES: Record<FontName, string> = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italic: 'DejaVuSans-Oblique.ttf',
  mono: 'DejaVuSansMono.ttf',
};

let fonts: Record<FontName, Buffer> | undefined;

/** DejaVu covers the names the dossier prints (Prüflabor, Łódź, Ørsted) and the marks (✓ ✗ →). */
export function dossierFonts(): Record<FontName, Buffer> {
  if (!fonts) {
    const require = createRequire(import.meta.url);
    const load = (file: string) => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
    fonts = {
      regular: load(FONT_FILES.regular),
      bold: load(FONT_FILES.bold),
      italic: load(FONT_FILES.italic),
      mono: load(FONT_FILES.mono),
    };
  }
  return fonts;
}

/**
 * Measures with pdfkit's own metrics for the embedded fonts, so a line measured here is exactly
 * as wide as pdfkit draws it. Shaping a word (kerning, ligatures) is the expensive part of
 * rendering, and the layout measures every word before pdfkit draws it, so:
 * - monospaced ASCII (hashes, ids, timestamps: most of a large dossier's distinct words) is summed
 *   from per-character widths, which for DejaVu Sans Mono equals the shaped width (no kerning or
 *   ligatures among printable ASCII; the spec checks this against pdfkit);
 * - other words are shaped once and cached; the cache is emptied when it gets large, which bounds
 *   it without changing any result.
 */
export function createMeasurer(): TextMeasurer {
  const metrics = new PDFDocument({ autoFirstPage: false, fontLayoutCache: false });
  for (const [name, bytes] of Object.entries(dossierFonts())) metrics.registerFont(name, bytes);
  metrics.fontSize(1000);
  const monoChars = new Map<string, number>();
  const words = new Map<string, number>();
  const shaped = (font: FontName, text: string) => metrics.font(font).widthOfString(text);
  return {
    width(font, size, text) {
      let width = 0;
      if (font === 'mono' && PRINTABLE_ASCII.test(text)) {
        for (const char of text) {
          let w = monoChars.get(char);
          if (w === undefined) monoChars.set(char, (w = shaped('mono', char)));
          width += w;
        }
      } else {
        const key = `${font}\u0000${text}`;
        const known = words.get(key);
        if (known !== undefined) width = known;
        else {
          if (words.size >= 50_000) words.clear();
          width = shaped(font, text);
          words.set(key, width);
        }
      }
      return (width * size) / 1000;
    },
  };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const TONES: Record<Tone, string> = {
  normal: '#141414',
  muted: '#5f6368',
  good: '#17663a',
  bad: '#a3191b',
};

class PdfkitSurface implements Surface {
  private topBookmark: PDFKit.PDFOutline | null = null;

  constructor(private readonly pdf: PDFKit.PDFDocument) {}

  beginPage(): void {
    this.pdf.addPage({ size: [PAGE.width, PAGE.height], margin: 0 });
    forgetGlyphLayouts(this.pdf);
  }

  text(
    text: string,
    x: number,
    y: number,
    style: TextStyle,
    link?: { goTo?: string; destination?: string },
  ): void {
    this.pdf.font(style.font).fontSize(style.size).fillColor(TONES[style.tone]);
    this.pdf.text(text, x, y, { lineBreak: false, goTo: link?.goTo, destination: link?.destination });
  }

  fill(x: number, y: number, width: number, height: number, shade: 'light' | 'code'): void {
    this.pdf.rect(x, y, width, height).fill(shade === 'light' ? '#e8eaed' : '#f3f4f6');
  }

  rule(x1: number, x2: number, y: number, weight: 'hair' | 'strong'): void {
    this.pdf
      .moveTo(x1, y)
      .lineTo(x2, y)
      .lineWidth(weight === 'hair' ? 0.4 : 1.2)
      .strokeColor(weight === 'hair' ? '#c4c7cc' : '#3c4043')
      .stroke();
  }

  bookmark(title: string, level: 1 | 2): void {
    if (level === 1 || !this.topBookmark) this.topBookmark = this.pdf.outline.addItem(title);
    else this.topBookmark.addItem(title);
  }
}

/**
 * pdfkit caches the glyph layout of every distinct word it draws, per font, for the life of the
 * document. A dossier's words are mostly unique (timestamps, hashes, ids), so that cache alone
 * grows with the page count (about 0.5 MB per page). Emptying it at each page keeps the words of
 * the current page, which is where the repeats are, and bounds memory. pdfkit has no option for a
 * bounded cache (only `fontLayoutCache: false`, which doubles the rendering time), so this reaches
 * into its fonts; the returned count lets a test notice if a pdfkit upgrade moves them.
 */
export function forgetGlyphLayouts(pdf: PDFKit.PDFDocument): number {
  const fonts =
    (pdf as unknown as { _fontFamilies?: Record<string, { layoutCache?: object }> })._fontFamilies ?? {};
  let emptied = 0;
  for (const font of Object.values(fonts)) {
    if (font.layoutCache) {
      font.layoutCache = Object.create(null) as object;
      emptied++;
    }
  }
  return emptied;
}

/** Writes in 64 KiB blocks with synchronous writes (we are off the event loop), hashing as it goes. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

class HashingFile {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private readonly buffer = Buffer.alloc(64 * 1024);
  private used = 0;
  private bytes = 0;

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.used + chunk.length > this.buffer.length) this.flush();
    if (chunk.length > this.buffer.length) writeAll(this.fd, chunk);
    else {
      this.buffer.set(chunk, this.used);
      this.used += chunk.length;
    }
  }

  finish(): { sha256: string; bytes: number } {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }

  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed by finish().
    }
    rmSync(this.path, { force: true });
  }

  private flush(): void {
    writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset);
}
