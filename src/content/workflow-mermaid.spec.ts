import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { toMermaid } from './workflow-mermaid.js';
import { definitionFromConfig } from './workflows.js';

const file = 'workflows/eu-module-a.yaml';
const def = definitionFromConfig(parseYaml(readFileSync(join(process.cwd(), file), 'utf8')), {
  file,
  hash: 'test',
});

describe('toMermaid', () => {
  const diagram = toMermaid(def);
  const lines = diagram.trimEnd().split('\n');

  it('is a stateDiagram-v2 starting at the initial state', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> scoping');
  });

  it('has one labelled edge per event and marks the signed ones', () => {
    const edges = lines.filter((l) => /^ {2}[a-z_]+ --> [a-z_]+: /.test(l));
    const events = Object.values(def.states).flatMap((s) => s.events);
    expect(edges).toHaveLength(events.length);
    expect(lines).toContain('  scoping --> standards_selection: COMPLETE_SCOPING');
    expect(lines).toContain('  declaration --> marking: SIGN_DECLARATION (signed)');
    expect(lines).toContain('  technical_file_compilation --> declaration: APPROVE_TECHNICAL_FILE (signed)');
  });

  it('ends the final states', () => {
    expect(lines).toContain('  archived --> [*]');
    expect(lines).toContain('  abandoned --> [*]');
  });

  it('highlights the current state only when asked', () => {
    expect(diagram).not.toMatch(/classDef/);
    const current = toMermaid(def, 'marking').trimEnd().split('\n');
    expect(current.slice(-2)).toEqual([
      '  classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px,font-weight:bold',
      '  class marking current',
    ]);
  });

  it('refuses a state the workflow does not have', () => {
    expect(() => toMermaid(def, 'limbo')).toThrow(/has no state 'limbo'/);
  });
});
