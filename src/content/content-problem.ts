/** A defect in a content file: which file, where inside it, what is wrong. */
export interface ContentProblem {
  /** Path relative to the content directory, e.g. `rules/regimes/eu.yaml`. */
  file: string;
  /** Dotted path inside the file, e.g. `regimes.eu-md.routes[0].when`. */
  path: string;
  message: string;
}

export class ContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(
      `content is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ContentError';
  }
}

export function formatProblem(p: ContentProblem): string {
  return `${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}`;
}

/**
 * Collects problems while one file is checked, so that a loader reports all of them at once.
 */
export class ProblemCollector {
  constructor(
    readonly file: string,
    readonly problems: ContentProblem[] = [],
  ) {}

  add(path: string, message: string): void {
    this.problems.push({ file: this.file, path, message });
  }

  /** A collector for another file that adds to the same list. */
  forFile(file: string): ProblemCollector {
    return new ProblemCollector(file, this.problems);
  }
}
