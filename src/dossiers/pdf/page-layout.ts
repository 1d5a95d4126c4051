import type { Block, Cell, Column, DossierDocument, Field, FontName, Row, Tone } from './dossier-document.js';

/*
 * Page layout of a dossier document: line breaking, pagination, tables that break across pages
 * with their header repeated, the table of contents and "Page X of Y".
 *
 * The same code runs twice. The first pass draws onto a surface that ignores everything and only
 * counts pages and records where each heading lands; the second pass draws for real, with the
 * page numbers of the first pass printed in the contents and the footers. Nothing the second pass
 * prints changes a line break or a page break (page numbers sit in fixed-width slots), so both
 * passes paginate identically; the renderer checks that they did.
 *
 * Lines are broken here, not by pdfkit, so that both passes agree and so that long unbreakable
 * strings (hashes, file names, URLs) are broken inside the column instead of running out of it.
 */

export interface TextMeasurer {
  /** Advance width of `text` in points, as the PDF will draw it. */
  width(font: FontName, size: number, text: string): number;
}

export interface TextStyle {
  font: FontName;
  size: number;
  tone: Tone;
}

/** Where the layout draws. Coordinates are points from the top-left corner; `y` is the top of the text. */
export interface Surface {
  beginPage(): void;
  text(
    text: string,
    x: number,
    y: number,
    style: TextStyle,
    link?: { goTo?: string; destination?: string },
  ): void;
  fill(x: number, y: number, width: number, height: number, shade: 'light' | 'code'): void;
  rule(x1: number, x2: number, y: number, weight: 'hair' | 'strong'): void;
  bookmark(title: string, level: 1 | 2): void;
}

/** A surface that draws nothing: the measuring pass. */
export const measuringSurface: Surface = {
  beginPage() {},
  text() {},
  fill() {},
  rule() {},
  bookmark() {},
};

export interface PlacedHeading {
  id: string;
  number: string;
  title: string;
  level: 1 | 2;
  page: number;
}

export interface LayoutResult {
  pages: number;
  headings: PlacedHeading[];
}

/** A4 in points. */
export const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { left: 56, right: 56, top: 66, bottom: 62 };
export const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;

const BODY: TextStyle = { font: 'regular', size: 9.5, tone: 'normal' };
const TABLE_SIZE = 8;
const MONO_SIZE = 8;
/** Monospaced identifiers shrink to this size before they are broken across lines. */
const MIN_MONO_SIZE = 6;
const FIELD_LABEL_WIDTH = 112;
const DETAIL_LABEL_WIDTH = 64;
const CELL_PAD = 3;

const lineHeight = (size: number) => size * 1.3;
const height = (bands: Band[]) => bands.reduce((sum, b) => sum + b.height, 0);

/** One horizontal strip of a page; groups of bands are kept together where they fit. */
interface Band {
  height: number;
  draw(y: number): void;
}

export function layoutDocument(
  document: DossierDocument,
  measure: TextMeasurer,
  surface: Surface,
  previous?: LayoutResult,
): LayoutResult {
  return new Layout(document, measure, surface, previous).run();
}

class Layout {
  private page = 0;
  private y = MARGIN.top;
  /** Nothing but the running header has been drawn on this page yet. */
  private fresh = true;
  /** The table being laid out, whose caption and header repeat on every page it continues on. */
  private continuing: { caption: string; header: Band[] } | null = null;
  private readonly headings: PlacedHeading[] = [];

  constructor(
    private readonly document: DossierDocument,
    private readonly measure: TextMeasurer,
    private readonly surface: Surface,
    private readonly previous: LayoutResult | undefined,
  ) {}

  run(): LayoutResult {
    const blocks = [...this.document.blocks()];
    const outline = blocks.filter((b) => b.kind === 'heading');
    for (const block of blocks) this.block(block, outline);
    return { pages: this.page, headings: this.headings };
  }

  private block(block: Block, outline: Extract<Block, { kind: 'heading' }>[]): void {
    switch (block.kind) {
      case 'cover':
        return this.cover(block);
      case 'contents':
        return this.contents(outline);
      case 'heading':
        return this.heading(block);
      case 'paragraph':
        this.place(
          this.textBands(
            block.text,
            TEXT_WIDTH,
            { ...BODY, font: block.font ?? 'regular', tone: block.tone ?? 'normal' },
            MARGIN.left,
          ),
          false,
        );
        return this.space(6);
      case 'fields':
        for (const field of block.fields) {
          this.place(
            this.fieldBands(field, MARGIN.left, TEXT_WIDTH, block.labelWidth ?? FIELD_LABEL_WIDTH, 9),
            true,
          );
        }
        return this.space(6);
      case 'table':
        return this.table(block.caption, block.columns, block.rows(), block.empty);
      case 'code':
        return this.code(block.lines);
    }
  }

  // Pages

  private newPage(): void {
    this.page++;
    this.surface.beginPage();
    this.y = MARGIN.top;
    this.fresh = true;
    this.pageFurniture();
    if (this.continuing) {
      const caption = this.textBands(
        `${this.continuing.caption} (continued)`,
        TEXT_WIDTH,
        CAPTION,
        MARGIN.left,
      );
      for (const band of [...caption, ...this.continuing.header]) this.drawBand(band);
    }
  }

  /** Running header (not on the cover) and the footer with "Page X of Y". */
  private pageFurniture(): void {
    const style: TextStyle = { font: 'regular', size: 7.5, tone: 'muted' };
    if (this.page > 1) {
      let y = 30;
      for (const line of wrapText(
        this.document.runningHeader,
        TEXT_WIDTH,
        style.font,
        style.size,
        this.measure,
      )) {
        this.surface.text(line, MARGIN.left, y, style);
        y += lineHeight(style.size);
      }
      this.surface.rule(MARGIN.left, PAGE.width - MARGIN.right, MARGIN.top - 10, 'hair');
    }
    const footerY = BOTTOM + 24;
    this.surface.rule(MARGIN.left, PAGE.width - MARGIN.right, footerY - 6, 'hair');
    // "Page X of Y" gets a fixed slot on the right; the rest of the footer wraps in what is left.
    const slot = 90;
    const total = this.previous ? String(this.previous.pages) : '?';
    const pageText = `Page ${this.page} of ${total}`;
    this.surface.text(
      pageText,
      PAGE.width - MARGIN.right - this.measure.width(style.font, style.size, pageText),
      footerY,
      style,
    );
    let y = footerY;
    for (const line of wrapText(
      this.document.runningFooter,
      TEXT_WIDTH - slot,
      style.font,
      style.size,
      this.measure,
    )) {
      this.surface.text(line, MARGIN.left, y, style);
      y += lineHeight(style.size);
    }
  }

  private remaining(): number {
    return BOTTOM - this.y;
  }

  private space(height: number): void {
    if (!this.fresh) this.y = Math.min(this.y + height, BOTTOM);
  }

  private drawBand(band: Band): void {
    band.draw(this.y);
    this.y += band.height;
  }

  /**
   * Places bands in the flow. A group that should stay together moves to the next page when it
   * does not fit on this one but fits on an empty one; anything taller breaks between bands.
   */
  private place(bands: Band[], keepTogether: boolean): void {
    if (this.page === 0) this.newPage();
    const total = height(bands);
    if (keepTogether && total > this.remaining() && !this.fresh && total <= this.capacity()) this.newPage();
    for (const band of bands) {
      if (band.height > this.remaining() && !this.fresh) this.newPage();
      this.drawBand(band);
      this.fresh = false;
    }
  }

  /** Height available on an empty page, under a repeated table header if there is one. */
  private capacity(): number {
    const repeated = this.continuing ? height(this.continuing.header) + 2 * lineHeight(CAPTION.size) : 0;
    return BOTTOM - MARGIN.top - repeated;
  }

  // Blocks

  private cover(block: Extract<Block, { kind: 'cover' }>): void {
    this.newPage();
    this.y = 150;
    this.place(
      this.textBands(block.title, TEXT_WIDTH, { font: 'bold', size: 30, tone: 'normal' }, MARGIN.left),
      true,
    );
    this.y += 6;
    this.place(
      this.textBands(block.subtitle, TEXT_WIDTH, { font: 'bold', size: 16, tone: 'normal' }, MARGIN.left),
      true,
    );
    this.y += 10;
    this.place(
      [
        {
          height: 14,
          draw: (y) => this.surface.rule(MARGIN.left, PAGE.width - MARGIN.right, y + 4, 'strong'),
        },
      ],
      true,
    );
    for (const field of block.fields)
      this.place(this.fieldBands(field, MARGIN.left, TEXT_WIDTH, 110, 10), true);
    this.y += 18;
    this.place(
      this.textBands(block.note, TEXT_WIDTH, { font: 'italic', size: 9, tone: 'muted' }, MARGIN.left),
      true,
    );
  }

  private contents(outline: Extract<Block, { kind: 'heading' }>[]): void {
    this.newPage();
    this.place(this.textBands('Contents', TEXT_WIDTH, H1, MARGIN.left), true);
    this.space(10);
    const numberWidth = 30;
    const pageWidth = 30;
    outline.forEach((h, i) => {
      const indent = h.level === 1 ? 0 : 18;
      const style: TextStyle = {
        font: h.level === 1 ? 'bold' : 'regular',
        size: h.level === 1 ? 10 : 9.5,
        tone: 'normal',
      };
      const x = MARGIN.left + indent;
      const titleX = x + numberWidth;
      const right = PAGE.width - MARGIN.right;
      const titleWidth = right - pageWidth - titleX;
      const lines = wrapText(h.title, titleWidth, style.font, style.size, this.measure);
      const page = this.previous ? String(this.previous.headings[i]?.page ?? '?') : '?';
      const bands: Band[] = lines.map((line, n) => ({
        height: lineHeight(style.size) + (n === lines.length - 1 ? (h.level === 1 ? 5 : 2) : 0),
        draw: (y) => {
          if (n === 0) this.surface.text(h.number, x, y, style, { goTo: h.id });
          this.surface.text(line, titleX, y, style, { goTo: h.id });
          if (n !== lines.length - 1) return;
          // Dot leaders from the end of the title to the page number.
          const dotWidth = this.measure.width('regular', style.size, '.');
          const from = titleX + this.measure.width(style.font, style.size, line) + 6;
          const dots = Math.max(0, Math.floor((right - pageWidth + 4 - from) / dotWidth));
          if (dots > 2)
            this.surface.text('.'.repeat(dots), from, y, { ...style, font: 'regular', tone: 'muted' });
          this.surface.text(page, right - this.measure.width(style.font, style.size, page), y, style, {
            goTo: h.id,
          });
        },
      }));
      if (h.level === 1 && i > 0) this.space(4);
      this.place(bands, true);
    });
  }

  private heading(h: Extract<Block, { kind: 'heading' }>): void {
    const style = h.level === 1 ? H1 : H2;
    if (h.level === 1) {
      if (!this.fresh) this.newPage();
    } else {
      this.space(10);
      // Keep the heading with a few lines of what follows it.
      if (this.remaining() < 70 && !this.fresh) this.newPage();
    }
    const numberWidth = h.level === 1 ? 34 : 38;
    const lines = wrapText(h.title, TEXT_WIDTH - numberWidth, style.font, style.size, this.measure);
    const bands: Band[] = lines.map((line, n) => ({
      height: lineHeight(style.size),
      draw: (y) => {
        if (n === 0) {
          this.surface.text(h.number, MARGIN.left, y, style, { destination: h.id });
          this.surface.bookmark(`${h.number} ${h.title}`, h.level);
        }
        this.surface.text(line, MARGIN.left + numberWidth, y, style);
      },
    }));
    bands.push({
      height: h.level === 1 ? 12 : 6,
      draw: (y) => {
        if (h.level === 1) this.surface.rule(MARGIN.left, PAGE.width - MARGIN.right, y + 3, 'strong');
      },
    });
    this.place(bands, true);
    this.headings.push({ id: h.id, number: h.number, title: h.title, level: h.level, page: this.page });
  }

  private table(caption: string, columns: Column[], rows: Iterable<Row>, empty: string): void {
    const widths = scaleColumns(columns);
    const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const captionBands = this.textBands(caption, TEXT_WIDTH, CAPTION, MARGIN.left);
    const header = this.headerBands(columns, widths, xs);
    const remainingRows = rows[Symbol.iterator]();
    const firstRows: Band[][] = [];
    while (firstRows.length < 3) {
      const next = remainingRows.next();
      if (next.done) break;
      firstRows.push(this.rowBands(next.value, columns, widths, xs));
    }
    if (firstRows.length === 0) {
      const note = this.textBands(
        empty,
        TEXT_WIDTH,
        { font: 'italic', size: TABLE_SIZE, tone: 'muted' },
        MARGIN.left,
      );
      this.place([...captionBands, ...note], true);
      this.space(10);
      return;
    }
    // Caption and header start where the first rows (up to three) fit with them, so a header is
    // never left at the foot of a page; a first row taller than a page starts on a fresh one.
    const lead = [...captionBands, ...header];
    const needed = height(lead) + Math.min(height(firstRows.flat()), this.capacity());
    if (needed > this.remaining() && !this.fresh) this.newPage();
    this.place(lead, true);
    this.continuing = { caption, header };
    for (const bands of firstRows) this.place(bands, true);
    for (let next = remainingRows.next(); !next.done; next = remainingRows.next()) {
      this.place(this.rowBands(next.value, columns, widths, xs), true);
    }
    this.continuing = null;
    this.space(10);
  }

  private headerBands(columns: Column[], widths: number[], xs: number[]): Band[] {
    const style: TextStyle = { font: 'bold', size: 7.5, tone: 'normal' };
    const cellLines = columns.map((c, i) =>
      wrapText(c.title, widths[i] - 2 * CELL_PAD, style.font, style.size, this.measure),
    );
    const count = Math.max(...cellLines.map((l) => l.length));
    const height = count * lineHeight(style.size) + 2 * CELL_PAD;
    return [
      {
        height,
        draw: (y) => {
          this.surface.fill(MARGIN.left, y, TEXT_WIDTH, height, 'light');
          cellLines.forEach((lines, i) =>
            lines.forEach((line, n) =>
              this.surface.text(line, xs[i] + CELL_PAD, y + CELL_PAD + n * lineHeight(style.size), style),
            ),
          );
        },
      },
    ];
  }

  private rowBands(row: Row, columns: Column[], widths: number[], xs: number[]): Band[] {
    const cells = columns.map((column, i) => {
      const cell = toCell(row.cells[i] ?? '');
      const font = cell.font ?? (column.mono ? 'mono' : 'regular');
      let size = font === 'mono' ? MONO_SIZE - 0.5 : TABLE_SIZE;
      const width = widths[i] - 2 * CELL_PAD;
      if (font === 'mono') size = fitSize(cell.text, width, font, size, MIN_MONO_SIZE, this.measure);
      return {
        x: xs[i] + CELL_PAD,
        style: { font, size, tone: cell.tone ?? 'normal' },
        lines: wrapText(cell.text, width, font, size, this.measure),
      };
    });
    const lh = lineHeight(TABLE_SIZE);
    const count = Math.max(1, ...cells.map((c) => c.lines.length));
    const bands: Band[] = [{ height: CELL_PAD, draw: () => {} }];
    for (let n = 0; n < count; n++) {
      bands.push({
        height: lh,
        draw: (y) => {
          for (const c of cells)
            if (n < c.lines.length)
              this.surface.text(c.lines[n], c.x, y + (lh - lineHeight(c.style.size)) / 2, c.style);
        },
      });
    }
    // Details span from the second column to the right edge, under the cells.
    const detailX = xs[Math.min(1, xs.length - 1)] + CELL_PAD;
    const detailWidth = MARGIN.left + TEXT_WIDTH - CELL_PAD - detailX;
    for (const detail of row.details ?? [])
      bands.push(...this.fieldBands(detail, detailX, detailWidth, DETAIL_LABEL_WIDTH, TABLE_SIZE));
    bands.push({
      height: CELL_PAD,
      draw: (y) => this.surface.rule(MARGIN.left, PAGE.width - MARGIN.right, y + CELL_PAD, 'hair'),
    });
    return bands;
  }

  /** A label in bold with its value beside it, wrapped in the rest of the width. */
  private fieldBands(field: Field, x: number, width: number, labelWidth: number, size: number): Band[] {
    const labelStyle: TextStyle = { font: 'bold', size, tone: 'normal' };
    const font: FontName = field.mono ? 'mono' : 'regular';
    const valueWidth = width - labelWidth;
    const valueSize = field.mono
      ? fitSize(field.value, valueWidth, font, size - 0.5, MIN_MONO_SIZE, this.measure)
      : size;
    const valueStyle: TextStyle = { font, size: valueSize, tone: field.tone ?? 'normal' };
    const labels = wrapText(field.label, labelWidth - 6, labelStyle.font, size, this.measure);
    const values = wrapText(field.value, valueWidth, font, valueSize, this.measure);
    const lh = lineHeight(size);
    const bands: Band[] = [];
    for (let n = 0; n < Math.max(labels.length, values.length); n++) {
      bands.push({
        height: lh,
        draw: (y) => {
          if (n < labels.length) this.surface.text(labels[n], x, y, labelStyle);
          if (n < values.length)
            this.surface.text(values[n], x + labelWidth, y + (lh - lineHeight(valueSize)) / 2, valueStyle);
        },
      });
    }
    return bands;
  }

  private textBands(text: string, width: number, style: TextStyle, x: number): Band[] {
    return wrapText(text, width, style.font, style.size, this.measure).map((line) => ({
      height: lineHeight(style.size),
      draw: (y: number) => this.surface.text(line, x, y, style),
    }));
  }

  private code(lines: string[]): void {
    const style: TextStyle = { font: 'mono', size: 7.5, tone: 'normal' };
    const bands = lines.flatMap((l) =>
      wrapText(l, TEXT_WIDTH - 16, style.font, style.size, this.measure, true),
    );
    this.place(
      bands.map((line) => ({
        height: lineHeight(style.size),
        draw: (y) => {
          this.surface.fill(MARGIN.left, y, TEXT_WIDTH, lineHeight(style.size), 'code');
          this.surface.text(line, MARGIN.left + 8, y, style);
        },
      })),
      true,
    );
    this.space(8);
  }
}

const H1: TextStyle = { font: 'bold', size: 16, tone: 'normal' };
const H2: TextStyle = { font: 'bold', size: 11.5, tone: 'normal' };
const CAPTION: TextStyle = { font: 'bold', size: 8.5, tone: 'muted' };

function toCell(cell: string | Cell): Cell {
  return typeof cell === 'string' ? { text: cell } : cell;
}

function scaleColumns(columns: Column[]): number[] {
  const total = columns.reduce((sum, c) => sum + c.width, 0);
  return columns.map((c) => (c.width / total) * TEXT_WIDTH);
}

/**
 * The largest size, from `size` down to `min` in quarter points, at which the longest word of
 * `text` fits `width`: a full SHA-256 then stays on one line, where pdftotext and a reader's
 * copy-and-paste see it whole.
 */
export function fitSize(
  text: string,
  width: number,
  font: FontName,
  size: number,
  min: number,
  measure: TextMeasurer,
): number {
  const longest = text.split(/\s+/).reduce((max, word) => Math.max(max, measure.width(font, size, word)), 0);
  if (longest <= width) return size;
  return Math.max(min, Math.floor(((size * width) / longest) * 4) / 4);
}

/**
 * Greedy line breaking at spaces (and at newlines). A word wider than the line is broken inside,
 * preferably after a separator (- _ . / :), so a long file name or URL wraps instead of running out
 * of its column; no hyphen is added, so the pieces join back to the original string.
 * `keepSpaces` keeps runs of spaces (code).
 */
export function wrapText(
  text: string,
  width: number,
  font: FontName,
  size: number,
  measure: TextMeasurer,
  keepSpaces = false,
): string[] {
  const lines: string[] = [];
  const space = measure.width(font, size, ' ');
  for (const paragraph of text.split('\n')) {
    if (keepSpaces) {
      lines.push(...breakWord(paragraph, width, font, size, measure));
      continue;
    }
    let line = '';
    let lineWidth = 0;
    for (const word of paragraph.split(/[ \t]+/)) {
      if (word === '') continue;
      const w = measure.width(font, size, word);
      if (line !== '' && lineWidth + space + w <= width) {
        line += ` ${word}`;
        lineWidth += space + w;
        continue;
      }
      if (line !== '') lines.push(line);
      if (w <= width) {
        line = word;
        lineWidth = w;
      } else {
        const pieces = breakWord(word, width, font, size, measure);
        lines.push(...pieces.slice(0, -1));
        line = pieces[pieces.length - 1];
        lineWidth = measure.width(font, size, line);
      }
    }
    lines.push(line);
  }
  return lines;
}

const SEPARATOR = /[-_./:]/;

function breakWord(
  word: string,
  width: number,
  font: FontName,
  size: number,
  measure: TextMeasurer,
): string[] {
  const chars = Array.from(word);
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    // Grow the piece while it fits; always take at least one character.
    let end = start + 1;
    let w = measure.width(font, size, chars[start]);
    while (end < chars.length) {
      const next = w + measure.width(font, size, chars[end]);
      if (next > width) break;
      w = next;
      end++;
    }
    // Character widths ignore kerning: check the piece as drawn and give back what does not fit.
    while (end - start > 1 && measure.width(font, size, chars.slice(start, end).join('')) > width) end--;
    if (end < chars.length) {
      // Prefer to break after a separator in the second half of the piece.
      for (let k = end - 1; k > start + (end - start) / 2; k--) {
        if (SEPARATOR.test(chars[k])) {
          end = k + 1;
          break;
        }
      }
    }
    pieces.push(chars.slice(start, end).join(''));
    start = end;
  }
  return pieces.length > 0 ? pieces : [''];
}
