import { execFileSync } from 'node:child_process';

/** Real PDF tools from Debian's qpdf and poppler-utils (installed by .ci/run). */
function tool(name: string, args: string[]): string {
  try {
    return execFileSync(name, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`${name} is not installed: apt-get install -y qpdf poppler-utils (.ci/run does this)`, {
        cause: error,
      });
    }
    throw new Error(`${name} ${args.join(' ')} failed: ${e.stderr ?? e.stdout ?? e.message}`, {
      cause: error,
    });
  }
}

/** `qpdf --check`: throws when the file is not a well-formed PDF. */
export function qpdfCheck(path: string): string {
  return tool('qpdf', ['--check', path]);
}

/** The text of the PDF (or of pages first..last), as pdftotext extracts it. */
export function pdfText(path: string, first?: number, last?: number): string {
  const range = first ? ['-f', String(first), '-l', String(last ?? first)] : [];
  return tool('pdftotext', ['-layout', ...range, path, '-']);
}

export function pdfPages(path: string): number {
  const info = tool('pdfinfo', [path]);
  const match = /^Pages:\s+(\d+)/m.exec(info);
  if (!match) throw new Error(`pdfinfo did not report pages:\n${info}`);
  return Number(match[1]);
}
