import { EVIDENCE_STEPS, type EvidenceStep } from '../cases/guard-facts.js';
import { didYouMean, type CompiledCondition, type ConditionCompiler, type Predicate } from './conditions.js';
import type { ProblemCollector } from './content-problem.js';
import type { EvidenceKinds } from './evidence-kinds.js';
import { CONFIDENCE_LEVELS, type Confidence, type Parameters } from './parameters.js';
import {
  booleanAt,
  isObject,
  noUnknownKeys,
  numberAt,
  objectAt,
  stringAt,
  type JsonObject,
} from './yaml-shape.js';

/*
 * Regimes (design §3.2): one legal act in one market, with the conditions under which it
 * applies, the conformity-assessment routes the law allows, the evidence it requires and the
 * validity periods the law sets. Read from `rules/regimes/*.yaml`.
 */

export const MARKETS = ['EU', 'GB', 'US'] as const;
export type Market = (typeof MARKETS)[number];

/** The regime identifiers of design §3.2, per market. */
export const REGIME_IDS: Readonly<Record<Market, readonly string[]>> = {
  EU: ['eu-md', 'eu-mr', 'eu-lvd', 'eu-emc', 'eu-red', 'eu-rohs'],
  GB: ['gb-smsr', 'gb-eesr', 'gb-emc', 'gb-rer', 'gb-rohs', 'gb-psti'],
  US: ['us-fcc-15b', 'us-fcc-radio', 'us-nrtl'],
};

/** Route identifiers of design §3.2. */
export const ROUTE_IDS = [
  'A',
  'B+C',
  'H',
  'G',
  'annex-viii',
  'annex-ix',
  'annex-x',
  'sdoc',
  'certification',
  'modular',
  'listing',
  'field-evaluation',
] as const;
export type RouteId = (typeof ROUTE_IDS)[number];

/** Where a definition sits, so later checks (e.g. workflows) can name file and path. */
export interface SourceLocation {
  file: string;
  path: string;
}

/** One condition of a rule, with its citation and the words shown when it holds or fails. */
export interface RuleCondition {
  id: string;
  /** The CEL source. */
  expression: string;
  citation: string;
  holds: string;
  fails: string;
  confidence?: Confidence;
  /** Failing leaves the question open (a fact is missing) instead of answering "no". */
  undetermined: boolean;
  test: Predicate;
  /** The same condition in its fast forms, for evaluating many variants. */
  compiled: CompiledCondition;
}

/** A ground on which a route is allowed: every condition holds. */
export interface RouteGround {
  id: string;
  conditions: RuleCondition[];
  /**
   * The workflow that runs the route when this ground allows it, when it is not the route's own
   * (`groundWorkflows`): e.g. partly completed machinery, which the law lets through the same
   * route id but which ends in a declaration of incorporation instead of CE marking.
   */
  workflow?: string;
}

export interface EvidenceRequirement {
  kind: string;
  step: EvidenceStep;
  /** Required only when this holds (CEL over the attributes). */
  when?: { expression: string; test: Predicate; compiled: CompiledCondition };
  citation?: string;
}

export interface Route {
  id: RouteId;
  title: string;
  /** The provision that provides this route, and its words. */
  citation: string;
  basis: string;
  /** Needs a notified body (EU), approved body (GB), TCB or NRTL (US). */
  notifiedBody: boolean;
  /** Id of the workflow that runs it (workflows/), unless the ground that allows it names another. */
  workflow: string;
  /** Allowed when any ground holds; no grounds = always allowed when the regime applies. */
  grounds: RouteGround[];
  /** Evidence this route adds to the regime's. */
  evidence: EvidenceRequirement[];
  location: SourceLocation;
}

export interface ValidityRule {
  kind: string;
  years: number;
  /** The parameter the period comes from, when it is uncertain. */
  parameter?: string;
  meaning: string;
  citation: string;
  confidence?: Confidence;
}

export interface Regime {
  id: string;
  market: Market;
  title: string;
  legalReference: string;
  /** All must hold, checked in order; the first that fails decides. */
  applies: RuleCondition[];
  routes: Route[];
  evidence: EvidenceRequirement[];
  validity: ValidityRule[];
  /** Shown with the answer when they hold; they decide nothing. */
  notes: RuleCondition[];
  location: SourceLocation;
}

export type Regimes = ReadonlyMap<string, Regime>;

const ID = /^[a-z][a-z0-9-]*$/;
const REGIME_KEYS = [
  'market',
  'title',
  'legalReference',
  'applies',
  'routes',
  'evidence',
  'validity',
  'notes',
];
const ROUTE_KEYS = [
  'title',
  'citation',
  'basis',
  'notifiedBody',
  'workflow',
  'groundWorkflows',
  'allowedWhen',
  'evidence',
];
const CONDITION_KEYS = ['when', 'citation', 'holds', 'fails', 'confidence'];
const VALIDITY_KEYS = ['years', 'parameter', 'meaning', 'citation', 'confidence'];
const EVIDENCE_ENTRY_KEYS = ['kind', 'when', 'citation'];

export interface RuleReaders {
  compiler: ConditionCompiler;
  evidenceKinds: EvidenceKinds;
  parameters: Parameters;
}

interface ConditionOptions {
  /** `undetermined: true` may be set (applicability conditions). */
  undeterminedAllowed?: boolean;
  /** Notes only show their `holds` words. */
  failsOptional?: boolean;
}

/** Replaces `{params.<name>}` in rule words by the parameter's value (lists joined by commas). */
export function interpolate(
  p: ProblemCollector,
  path: string,
  text: string | undefined,
  parameters: Parameters,
): string | undefined {
  if (text === undefined) return undefined;
  return text.replace(/\{params\.([A-Za-z0-9]+)\}/g, (whole, name: string) => {
    const parameter = parameters.get(name);
    if (!parameter) {
      p.add(path, `unknown parameter '${name}' in ${whole}${didYouMean(name, parameters.keys())}`);
      return whole;
    }
    const value = parameter.value;
    if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : 'none';
    return String(value);
  });
}

/** Reads one condition `{ when, citation, holds, fails, confidence? }`. */
export function readCondition(
  p: ProblemCollector,
  path: string,
  id: string,
  raw: unknown,
  readers: RuleReaders,
  options: ConditionOptions = {},
): RuleCondition | undefined {
  const spec = objectAt(p, path, raw);
  if (!spec) return undefined;
  noUnknownKeys(
    p,
    path,
    spec,
    options.undeterminedAllowed ? [...CONDITION_KEYS, 'undetermined'] : CONDITION_KEYS,
  );
  if (!ID.test(id)) p.add(path, 'condition ids are lower-case words joined by hyphens');
  const expression = stringAt(p, `${path}.when`, spec.when);
  const citation = interpolate(
    p,
    `${path}.citation`,
    stringAt(p, `${path}.citation`, spec.citation),
    readers.parameters,
  );
  const holds = interpolate(p, `${path}.holds`, stringAt(p, `${path}.holds`, spec.holds), readers.parameters);
  const fails = interpolate(
    p,
    `${path}.fails`,
    stringAt(p, `${path}.fails`, spec.fails, options.failsOptional),
    readers.parameters,
  );
  const confidence = readConfidence(p, `${path}.confidence`, spec.confidence);
  const undetermined = options.undeterminedAllowed
    ? (booleanAt(p, `${path}.undetermined`, spec.undetermined, true) ?? false)
    : false;
  if (expression === undefined) return undefined;
  const compiled = readers.compiler.compile(expression, { report: (m) => p.add(`${path}.when`, m) });
  if (!compiled || citation === undefined || holds === undefined) return undefined;
  return {
    id,
    expression,
    citation,
    holds,
    fails: fails ?? '',
    ...(confidence ? { confidence } : {}),
    undetermined,
    test: compiled.test,
    compiled,
  };
}

function readConfidence(p: ProblemCollector, path: string, value: unknown): Confidence | undefined {
  const confidence = stringAt(p, path, value, true);
  if (confidence === undefined) return undefined;
  if (!(CONFIDENCE_LEVELS as readonly string[]).includes(confidence)) {
    p.add(path, `must be one of ${CONFIDENCE_LEVELS.join(', ')}`);
    return undefined;
  }
  return confidence as Confidence;
}

/** Reads a map of named conditions, all of which must hold, in the order written. */
function readConditionMap(
  p: ProblemCollector,
  path: string,
  raw: unknown,
  readers: RuleReaders,
  options: ConditionOptions = {},
): RuleCondition[] {
  const map = objectAt(p, path, raw);
  if (!map) return [];
  return Object.entries(map).flatMap(([id, spec]) => {
    const condition = readCondition(p, `${path}.${id}`, id, spec, readers, options);
    return condition ? [condition] : [];
  });
}

/** Reads `{ <step>: [kind | { kind, when?, citation? }] }`. */
function readEvidence(
  p: ProblemCollector,
  path: string,
  raw: unknown,
  readers: RuleReaders,
): EvidenceRequirement[] {
  if (raw === undefined) return [];
  const map = objectAt(p, path, raw);
  if (!map) return [];
  const requirements: EvidenceRequirement[] = [];
  for (const [step, entries] of Object.entries(map)) {
    const stepPath = `${path}.${step}`;
    if (!(EVIDENCE_STEPS as readonly string[]).includes(step)) {
      p.add(
        stepPath,
        `unknown evidence step '${step}'${didYouMean(step, EVIDENCE_STEPS)}; steps are ${EVIDENCE_STEPS.join(', ')}`,
      );
      continue;
    }
    if (!Array.isArray(entries)) {
      p.add(stepPath, 'must be a list of evidence kinds');
      continue;
    }
    entries.forEach((entry, index) => {
      const entryPath = `${stepPath}[${index}]`;
      let kind: string | undefined;
      let requirement: EvidenceRequirement | undefined;
      if (typeof entry === 'string') {
        kind = entry;
        requirement = { kind, step: step as EvidenceStep };
      } else if (isObject(entry)) {
        noUnknownKeys(p, entryPath, entry, EVIDENCE_ENTRY_KEYS);
        kind = stringAt(p, `${entryPath}.kind`, entry.kind);
        const citation = stringAt(p, `${entryPath}.citation`, entry.citation, true);
        const expression = stringAt(p, `${entryPath}.when`, entry.when, true);
        const test =
          expression === undefined
            ? undefined
            : readers.compiler.compile(expression, { report: (m) => p.add(`${entryPath}.when`, m) });
        if (kind !== undefined && (expression === undefined || test)) {
          requirement = {
            kind,
            step: step as EvidenceStep,
            ...(expression !== undefined && test
              ? { when: { expression, test: test.test, compiled: test } }
              : {}),
            ...(citation ? { citation } : {}),
          };
        }
      } else {
        p.add(entryPath, 'must be an evidence kind or { kind, when, citation }');
      }
      if (kind !== undefined && !readers.evidenceKinds.has(kind)) {
        p.add(
          typeof entry === 'string' ? entryPath : `${entryPath}.kind`,
          `unknown evidence kind '${kind}'${didYouMean(kind, readers.evidenceKinds.keys())}`,
        );
        return;
      }
      if (requirement) requirements.push(requirement);
    });
  }
  return requirements;
}

function readRoute(
  p: ProblemCollector,
  path: string,
  id: string,
  raw: unknown,
  readers: RuleReaders,
): Route | undefined {
  const spec = objectAt(p, path, raw);
  if (!spec) return undefined;
  noUnknownKeys(p, path, spec, ROUTE_KEYS);
  if (!(ROUTE_IDS as readonly string[]).includes(id)) {
    p.add(
      path,
      `unknown route id '${id}'${didYouMean(id, ROUTE_IDS)}; route ids are ${ROUTE_IDS.join(', ')}`,
    );
  }
  const workflow = stringAt(p, `${path}.workflow`, spec.workflow);
  if (workflow !== undefined && !ID.test(workflow))
    p.add(`${path}.workflow`, 'workflow ids are lower-case words joined by hyphens');
  const grounds: RouteGround[] = [];
  if (spec.allowedWhen !== undefined) {
    const map = objectAt(p, `${path}.allowedWhen`, spec.allowedWhen);
    for (const [groundId, ground] of Object.entries(map ?? {})) {
      const groundPath = `${path}.allowedWhen.${groundId}`;
      // A ground is one condition, or a map of conditions that must all hold.
      const conditions =
        isObject(ground) && 'when' in ground
          ? [readCondition(p, groundPath, groundId, ground, readers)].filter((c) => c !== undefined)
          : readConditionMap(p, groundPath, ground, readers);
      if (!ID.test(groundId)) p.add(groundPath, 'ground ids are lower-case words joined by hyphens');
      grounds.push({ id: groundId, conditions });
    }
  }
  if (spec.groundWorkflows !== undefined) {
    const map = objectAt(p, `${path}.groundWorkflows`, spec.groundWorkflows);
    for (const [groundId, value] of Object.entries(map ?? {})) {
      const entryPath = `${path}.groundWorkflows.${groundId}`;
      const ground = grounds.find((g) => g.id === groundId);
      const id = stringAt(p, entryPath, value);
      if (!ground) {
        p.add(
          entryPath,
          `'${groundId}' is not a ground of this route's allowedWhen${didYouMean(
            groundId,
            grounds.map((g) => g.id),
          )}`,
        );
      } else if (id !== undefined && !ID.test(id)) {
        p.add(entryPath, 'workflow ids are lower-case words joined by hyphens');
      } else if (id !== undefined) {
        ground.workflow = id;
      }
    }
  }
  const route = {
    title: stringAt(p, `${path}.title`, spec.title),
    citation: stringAt(p, `${path}.citation`, spec.citation),
    basis: interpolate(p, `${path}.basis`, stringAt(p, `${path}.basis`, spec.basis), readers.parameters),
    notifiedBody: booleanAt(p, `${path}.notifiedBody`, spec.notifiedBody),
    evidence: readEvidence(p, `${path}.evidence`, spec.evidence, readers),
  };
  if (
    route.title === undefined ||
    route.citation === undefined ||
    route.basis === undefined ||
    route.notifiedBody === undefined ||
    workflow === undefined
  ) {
    return undefined;
  }
  return {
    id: id as RouteId,
    title: route.title,
    citation: route.citation,
    basis: route.basis,
    notifiedBody: route.notifiedBody,
    workflow,
    grounds,
    evidence: route.evidence,
    location: { file: p.file, path },
  };
}

function readValidity(p: ProblemCollector, path: string, raw: unknown, readers: RuleReaders): ValidityRule[] {
  if (raw === undefined) return [];
  const map = objectAt(p, path, raw);
  if (!map) return [];
  const rules: ValidityRule[] = [];
  for (const [kind, value] of Object.entries(map)) {
    const rulePath = `${path}.${kind}`;
    if (!readers.evidenceKinds.has(kind)) {
      p.add(rulePath, `unknown evidence kind '${kind}'${didYouMean(kind, readers.evidenceKinds.keys())}`);
      continue;
    }
    const spec = objectAt(p, rulePath, value);
    if (!spec) continue;
    noUnknownKeys(p, rulePath, spec, VALIDITY_KEYS);
    const parameter = stringAt(p, `${rulePath}.parameter`, spec.parameter, true);
    let years = numberAt(p, `${rulePath}.years`, spec.years, parameter !== undefined);
    if (parameter !== undefined) {
      if (spec.years !== undefined) p.add(`${rulePath}.years`, 'give either years or parameter, not both');
      const declared = readers.parameters.get(parameter);
      if (!declared) {
        p.add(
          `${rulePath}.parameter`,
          `unknown parameter '${parameter}'${didYouMean(parameter, readers.parameters.keys())}`,
        );
        continue;
      }
      if (declared.type !== 'number') {
        p.add(
          `${rulePath}.parameter`,
          `parameter '${parameter}' is a ${declared.type}, not a number of years`,
        );
        continue;
      }
      years = declared.value as number;
    }
    if (years !== undefined && !(years > 0)) p.add(`${rulePath}.years`, 'must be a positive number of years');
    const meaning = stringAt(p, `${rulePath}.meaning`, spec.meaning);
    const citation = stringAt(p, `${rulePath}.citation`, spec.citation);
    const confidence = readConfidence(p, `${rulePath}.confidence`, spec.confidence);
    if (years === undefined || meaning === undefined || citation === undefined) continue;
    rules.push({
      kind,
      years,
      ...(parameter !== undefined ? { parameter } : {}),
      meaning,
      citation,
      ...(confidence ? { confidence } : {}),
    });
  }
  return rules;
}

function readRegime(
  p: ProblemCollector,
  path: string,
  id: string,
  spec: JsonObject,
  readers: RuleReaders,
): Regime | undefined {
  noUnknownKeys(p, path, spec, REGIME_KEYS);
  const market = stringAt(p, `${path}.market`, spec.market);
  if (market !== undefined && !(MARKETS as readonly string[]).includes(market)) {
    p.add(`${path}.market`, `must be one of ${MARKETS.join(', ')}`);
  }
  const fixed = (Object.keys(REGIME_IDS) as Market[]).find((m) => REGIME_IDS[m].includes(id));
  if (!fixed) {
    const all = Object.values(REGIME_IDS).flat();
    p.add(path, `unknown regime id '${id}'${didYouMean(id, all)}; regime ids are fixed by design §3.2`);
  } else if (market !== undefined && market !== fixed) {
    p.add(`${path}.market`, `regime ${id} belongs to market ${fixed}`);
  }
  const title = stringAt(p, `${path}.title`, spec.title);
  const legalReference = interpolate(
    p,
    `${path}.legalReference`,
    stringAt(p, `${path}.legalReference`, spec.legalReference),
    readers.parameters,
  );
  const applies = readConditionMap(p, `${path}.applies`, spec.applies, readers, {
    undeterminedAllowed: true,
  });
  const routes: Route[] = [];
  const routeMap = objectAt(p, `${path}.routes`, spec.routes);
  for (const [routeId, raw] of Object.entries(routeMap ?? {})) {
    const route = readRoute(p, `${path}.routes.${routeId}`, routeId, raw, readers);
    if (route) routes.push(route);
  }
  if (routeMap && Object.keys(routeMap).length === 0)
    p.add(`${path}.routes`, 'a regime needs at least one route');
  const evidence = readEvidence(p, `${path}.evidence`, spec.evidence, readers);
  const validity = readValidity(p, `${path}.validity`, spec.validity, readers);
  const notes =
    spec.notes === undefined
      ? []
      : readConditionMap(p, `${path}.notes`, spec.notes, readers, { failsOptional: true });
  if (!fixed || market === undefined || title === undefined || legalReference === undefined) return undefined;
  return {
    id,
    market: market as Market,
    title,
    legalReference,
    applies,
    routes,
    evidence,
    validity,
    notes,
    location: { file: p.file, path },
  };
}

/**
 * Reads every regime file (already parsed): each is `{ regimes: { <id>: … } }`. Regime ids are
 * unique across files, and every id of design §3.2 must be defined.
 */
export function readRegimes(
  problems: ProblemCollector,
  documents: ReadonlyMap<string, unknown>,
  readers: RuleReaders,
): Regimes {
  const regimes = new Map<string, Regime>();
  for (const [file, document] of documents) {
    if (document === undefined) continue; // not valid YAML, already reported
    const p = problems.forFile(file);
    const root = objectAt(p, '', document);
    if (!root) continue;
    noUnknownKeys(p, '', root, ['regimes']);
    const entries = objectAt(p, 'regimes', root.regimes);
    for (const [id, raw] of Object.entries(entries ?? {})) {
      const path = `regimes.${id}`;
      const earlier = regimes.get(id);
      if (earlier) {
        p.add(path, `duplicate regime id '${id}' (already defined in ${earlier.location.file})`);
        continue;
      }
      const spec = objectAt(p, path, raw);
      const regime = spec ? readRegime(p, path, id, spec, readers) : undefined;
      if (regime) regimes.set(id, regime);
    }
  }
  // A regime file that is not valid YAML would make every regime in it look missing.
  const unreadable = [...documents.values()].some((document) => document === undefined);
  for (const market of unreadable ? [] : MARKETS) {
    for (const id of REGIME_IDS[market]) {
      if (
        !regimes.has(id) &&
        !problems.problems.some((q) => q.path === `regimes.${id}` || q.path.startsWith(`regimes.${id}.`))
      ) {
        problems
          .forFile(`rules/regimes/${market.toLowerCase()}.yaml`)
          .add(`regimes.${id}`, `regime ${id} (design §3.2) is not defined`);
      }
    }
  }
  return regimes;
}

/**
 * Every route names a workflow that exists, and that workflow checks every evidence step the
 * route requires (else that evidence would never be enforced). Where the workflow records a third
 * party's decision by asking for evidence accepted during that step (requiredEvidenceAcceptedSince),
 * the route must require a kind at the step: the shared workflows take each act's own certificate
 * from the route, and a route naming none would let the decision pass with nothing to show. Runs
 * when the content has workflows (`content.workflows`, from the workflow loader).
 */
export function checkRouteWorkflows(
  problems: ProblemCollector,
  content: {
    regimes: Regimes;
    workflows?: ReadonlyMap<
      string,
      { evidenceSteps?: readonly EvidenceStep[]; decisionSteps?: readonly EvidenceStep[] }
    >;
  },
): void {
  const workflows = content.workflows;
  if (!workflows) return;
  for (const regime of content.regimes.values()) {
    for (const route of regime.routes) {
      const p = problems.forFile(route.location.file);
      const steps = new Set([...regime.evidence, ...route.evidence].map((r) => r.step));
      const runs = [
        { id: route.workflow, path: `${route.location.path}.workflow`, by: '' },
        ...route.grounds.flatMap((g) =>
          g.workflow
            ? [
                {
                  id: g.workflow,
                  path: `${route.location.path}.groundWorkflows.${g.id}`,
                  by: ` (ground ${g.id})`,
                },
              ]
            : [],
        ),
      ];
      for (const run of runs) {
        const workflow = workflows.get(run.id);
        if (!workflow) {
          p.add(
            run.path,
            `route ${route.id} of ${regime.id}${run.by} names workflow '${run.id}', which does not exist${didYouMean(run.id, workflows.keys())}`,
          );
          continue;
        }
        for (const step of workflow.decisionSteps ?? []) {
          if (!steps.has(step)) {
            p.add(
              `${route.location.path}.evidence`,
              `route ${route.id} of ${regime.id} requires no evidence at step '${step}', where workflow '${run.id}' records the third party's decision: name the certificate, approval, grant or listing it issues`,
            );
          }
        }
        const checked = workflow.evidenceSteps;
        if (!checked) continue;
        for (const step of EVIDENCE_STEPS) {
          if (steps.has(step) && !checked.includes(step)) {
            p.add(
              run.path,
              `route ${route.id} of ${regime.id}${run.by} requires evidence at step '${step}', which workflow '${run.id}' never checks`,
            );
          }
        }
      }
    }
  }
}
