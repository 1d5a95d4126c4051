import { describe, expect, it } from '@jest/globals';
import type { Block, DossierDocument, FontName, Row } from './dossier-document.js';
import {
  fitSize,
  layoutDocument,
  measuringSurface,
  PAGE,
  TEXT_WIDTH,
  wrapText,
  type Surface,
  type TextMeasurer,
  type TextStyle,
} from './page-layout.js';

/** Every character half an em wide (0.6 em in mono): simple, exact arithmetic for the assertions. */
const measure: TextMeasurer = {
  width: (font: FontName, size: number, text: string) =>
    Array.from(text).length * size * (font === 'mono' ? 0.6 : 0.5),
};

interface Drawn {
  page: number;
  text: string;
  x: number;
  y: number;
  style: TextStyle;
}

function recorder(): { surface: Surface; drawn: Drawn[]; pages: () => number } {
  const drawn: Drawn[] = [];
  let page = 0;
  return {
    drawn,
    pages: () => page,
    surface: {
      beginPage: () => void page++,
      text: (text, x, y, style) => void drawn.push({ page, text, x, y, style }),
      fill: () => {},
      rule: () => {},
      bookmark: () => {},
    },
  };
}

function doc(blocks: Block[]): DossierDocument {
  return {
    info: { title: 't', subject: 's', author: 'a', keywords: 'k', date: new Date(0) },
    runningHeader: 'Running header',
    runningFooter: 'Dossier 1',
    blocks: () => blocks,
  };
}

const hash = 'ab'.repeat(32);

describe('wrapText', () => {
  it('breaks at spaces and keeps every line within the width', () => {
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(6).trim();
    const lines = wrapText(text, 100, 'regular', 10, measure);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(measure.width('regular', 10, line)).toBeLessThanOrEqual(100);
    expect(lines.join(' ')).toBe(text);
  });

  it('breaks a word longer than the line inside it, preferring separators, without losing a character', () => {
    const name = 'Prüflabor-Łódź_EN-IEC-60204-1_Prüfbericht_vollständig_mit_Anhängen_und_Messprotokollen.pdf';
    const lines = wrapText(`File ${name}`, 120, 'regular', 10, measure);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(measure.width('regular', 10, line)).toBeLessThanOrEqual(120);
    expect(lines.join('').replace(/^File/, '')).toBe(name);
    // A piece ends at a separator where one falls in the second half of the line.
    expect(lines.slice(1, 4)).toEqual(['Prüflabor-Łódź_EN-IEC-', '60204-1_Prüfbericht_', 'vollständig_mit_']);
  });

  it('breaks a word with no separator at the width', () => {
    const word = 'x'.repeat(100);
    const lines = wrapText(word, 101, 'regular', 10, measure);
    expect(lines).toEqual(['x'.repeat(20), 'x'.repeat(20), 'x'.repeat(20), 'x'.repeat(20), 'x'.repeat(20)]);
  });

  it('keeps explicit line breaks', () => {
    expect(wrapText('one\ntwo', 500, 'regular', 10, measure)).toEqual(['one', 'two']);
  });
});

describe('fitSize', () => {
  it('shrinks a monospaced hash until it fits on one line', () => {
    const size = fitSize(hash, 300, 'mono', 8, 6, measure);
    expect(size).toBeLessThan(8);
    expect(measure.width('mono', size, hash)).toBeLessThanOrEqual(300);
    expect(wrapText(hash, 300, 'mono', size, measure)).toEqual([hash]);
  });

  it('keeps the size when it fits and stops at the minimum when nothing fits', () => {
    expect(fitSize(hash, 400, 'mono', 8, 6, measure)).toBe(8);
    expect(fitSize(hash, 100, 'mono', 8, 6, measure)).toBe(6);
  });
});

describe('layoutDocument', () => {
  const rows = (n: number): Row[] =>
    Array.from({ length: n }, (_, i) => ({
      cells: [
        String(i + 1),
        `row ${i + 1} with some text that wraps over more than one line in its narrow column`,
      ],
      details: [{ label: 'SHA-256', value: hash, mono: true }],
    }));
  const blocks: Block[] = [
    {
      kind: 'cover',
      title: 'Technical file',
      subtitle: 'Variant',
      fields: [{ label: 'Id', value: 'x' }],
      note: 'note',
    },
    { kind: 'contents' },
    { kind: 'heading', id: 'one', number: '1', title: 'First section', level: 1 },
    { kind: 'paragraph', text: 'Some text. '.repeat(40) },
    {
      kind: 'table',
      caption: 'Long table',
      columns: [
        { title: 'No.', width: 1 },
        { title: 'Description', width: 4 },
      ],
      rows: () => rows(120),
      empty: 'none',
    },
    { kind: 'heading', id: 'one-one', number: '1.1', title: 'A subsection', level: 2 },
    { kind: 'paragraph', text: 'More text.' },
    { kind: 'heading', id: 'two', number: '2', title: 'Second section', level: 1 },
    {
      kind: 'table',
      caption: 'Empty table',
      columns: [{ title: 'A', width: 1 }],
      rows: () => [],
      empty: 'Nothing here.',
    },
  ];

  it('paginates the same way with and without drawing, and numbers pages in the second pass', () => {
    const plan = layoutDocument(doc(blocks), measure, measuringSurface);
    const { surface, drawn, pages } = recorder();
    const result = layoutDocument(doc(blocks), measure, surface, plan);

    expect(result).toEqual(plan);
    expect(pages()).toBe(plan.pages);
    expect(plan.pages).toBeGreaterThan(6);
    for (let page = 1; page <= plan.pages; page++) {
      expect(drawn.filter((d) => d.page === page).map((d) => d.text)).toContain(
        `Page ${page} of ${plan.pages}`,
      );
    }
  });

  it('records the page each heading is drawn on, and prints it in the contents', () => {
    const plan = layoutDocument(doc(blocks), measure, measuringSurface);
    const { surface, drawn } = recorder();
    layoutDocument(doc(blocks), measure, surface, plan);

    expect(plan.headings.map((h) => h.number)).toEqual(['1', '1.1', '2']);
    for (const h of plan.headings) {
      const title = drawn.find((d) => d.text === h.title && d.page > 2);
      expect(title?.page).toBe(h.page);
    }
    // The contents page shows each heading's page number on the heading's line.
    const contents = drawn.filter((d) => d.page === 2);
    for (const h of plan.headings) {
      const line = contents.find((d) => d.text === h.title);
      const number = contents.find((d) => d.y === line?.y && d.text === String(h.page));
      expect(number).toBeDefined();
    }
    // Level-1 sections start on a new page.
    expect(plan.headings[2].page).toBeGreaterThan(plan.headings[1].page);
  });

  it('repeats the table caption and header on every page the table continues on', () => {
    const plan = layoutDocument(doc(blocks), measure, measuringSurface);
    const { surface, drawn } = recorder();
    layoutDocument(doc(blocks), measure, surface, plan);

    const rowPages = [...new Set(drawn.filter((d) => /^row \d+/.test(d.text)).map((d) => d.page))];
    expect(rowPages.length).toBeGreaterThan(3);
    for (const page of rowPages.slice(1)) {
      const texts = drawn.filter((d) => d.page === page).map((d) => d.text);
      expect(texts).toContain('Long table (continued)');
      expect(texts).toContain('Description');
    }
    // A row (its cells and its details) is never split across pages.
    for (let i = 1; i <= 120; i++) {
      const cell =
        drawn.find((d) => d.text === `row ${i} with some`) ??
        drawn.find((d) => d.text.startsWith(`row ${i} `));
      const number = drawn.find((d) => d.text === String(i) && d.x < 100 && d.page === cell?.page);
      expect(number).toBeDefined();
    }
    expect(drawn.some((d) => d.text === 'Nothing here.')).toBe(true);
  });

  it('draws nothing outside the text area, hashes whole on one line', () => {
    const plan = layoutDocument(doc(blocks), measure, measuringSurface);
    const { surface, drawn } = recorder();
    layoutDocument(doc(blocks), measure, surface, plan);

    const left = (PAGE.width - TEXT_WIDTH) / 2;
    for (const d of drawn) {
      expect(d.x).toBeGreaterThanOrEqual(left - 0.01);
      expect(d.x + measure.width(d.style.font, d.style.size, d.text)).toBeLessThanOrEqual(
        left + TEXT_WIDTH + 0.01,
      );
      expect(d.y).toBeGreaterThan(0);
      expect(d.y + d.style.size).toBeLessThan(PAGE.height);
    }
    expect(drawn.filter((d) => d.text === hash)).toHaveLength(120);
  });
});
