import type { AttributeVocabulary } from './attributes.js';
import { attributeVariable, ConditionCompiler } from './conditions.js';
import type { ProblemCollector } from './content-problem.js';
import type { EvidenceKinds } from './evidence-kinds.js';
import { readImpactRules, type ImpactRules } from './impact.js';
import { parameterDeclarations, parameterValues, readParameters, type Parameters } from './parameters.js';
import { readRegimes, type Regimes } from './regimes.js';

/** The legal rules read from `rules/` besides the attribute and evidence vocabularies. */
export interface Rules {
  parameters: Parameters;
  regimes: Regimes;
  impactRules: ImpactRules;
}

const REGIME_FILE = /^rules\/regimes\/[^/]+\.ya?ml$/;
const KNOWN_FILES = [
  'rules/attributes.yaml',
  'rules/evidence-kinds.yaml',
  'rules/parameters.yaml',
  'rules/impact.yaml',
];

/**
 * Reads parameters, regimes and impact rules from the parsed documents, compiling every
 * condition against the attributes and parameters, then checks each compiled condition over
 * sampled attribute values (conditions.ts). `required` reports a missing file.
 */
export function readRules(
  problems: ProblemCollector,
  documents: ReadonlyMap<string, unknown>,
  required: (path: string) => unknown,
  attributes: AttributeVocabulary,
  evidenceKinds: EvidenceKinds,
  /** Every content file path (a file that is not valid YAML has no document). */
  files: readonly string[],
): Rules {
  for (const path of documents.keys()) {
    if (path.startsWith('rules/') && !KNOWN_FILES.includes(path) && !REGIME_FILE.test(path)) {
      problems
        .forFile(path)
        .add('', `not a known rules file (expected ${KNOWN_FILES.join(', ')} or rules/regimes/*.yaml)`);
    }
  }
  const parameters = readParameters(
    problems.forFile('rules/parameters.yaml'),
    required('rules/parameters.yaml'),
  );
  const declarations = parameterDeclarations(parameters);
  const values = parameterValues(parameters);
  const compiler = new ConditionCompiler({
    variables: new Map([...attributes.values()].map((def) => [def.name, attributeVariable(def)])),
    parameters: declarations,
    parameterValues: values,
  });
  const regimeDocuments = new Map<string, unknown>(
    files.filter((path) => REGIME_FILE.test(path)).map((path) => [path, documents.get(path)]),
  );
  if (regimeDocuments.size === 0)
    problems.forFile('rules/regimes/').add('', 'no regime files (rules/regimes/*.yaml)');
  const regimes = readRegimes(problems, regimeDocuments, { compiler, evidenceKinds, parameters });
  compiler.verify();
  const impactRules = readImpactRules(problems.forFile('rules/impact.yaml'), required('rules/impact.yaml'), {
    attributes,
    evidenceKinds,
    parameters: declarations,
    parameterValues: values,
  });
  return { parameters, regimes, impactRules };
}
