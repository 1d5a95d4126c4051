import type { EvidenceStep } from '../cases/guard-facts.js';
import type { AttributeValue, AttributeVocabulary } from '../content/attributes.js';
import {
  classCodes,
  toSlots,
  type CompiledCondition,
  type ParameterValues,
  type SlotLayout,
  type Slots,
  type Variables,
} from '../content/conditions.js';
import type { Confidence } from '../content/parameters.js';
import type {
  EvidenceRequirement,
  Market,
  Regime,
  Route,
  RouteId,
  RuleCondition,
} from '../content/regimes.js';

/*
 * Which regimes apply to a variant, why, and which routes the law allows (design §3.2, §4).
 * Pure: the rules come in compiled, the variant's effective attributes come in as values.
 */

/** One condition checked, in the words a lawyer reads, with the provision it rests on. */
export interface Reason {
  /** The condition's id, e.g. `placed-from-application-date` or `part-b-standards.cited`. */
  condition: string;
  held: boolean;
  text: string;
  citation: string;
  confidence?: Confidence;
}

export interface RouteAssessment {
  id: RouteId;
  title: string;
  notifiedBody: boolean;
  workflow: string;
  /** The route's legal basis, then the conditions of the ground that allows it (or the failed ones). */
  reasons: Reason[];
}

/** applies; does not apply; cannot be decided until a fact (e.g. the placing date) is set. */
export type RegimeStatus = 'applies' | 'not-applicable' | 'undetermined';

export interface RegimeApplicability {
  regime: string;
  market: Market;
  title: string;
  legalReference: string;
  applies: boolean;
  status: RegimeStatus;
  reasons: Reason[];
  /** The routes the law allows (empty when the regime does not apply). */
  routes: RouteAssessment[];
  /** The regime's other routes, with the reasons they are not allowed. */
  routesNotAllowed: RouteAssessment[];
  /** The regime applies and every allowed route needs a notified/approved body, TCB or NRTL. */
  notifiedBodyRequired: boolean;
  /** Remarks that decide nothing but a reviewer should see. */
  notes: Reason[];
}

// Evaluating thousands of variants must be cheap (the benchmark compares it with hand-written
// predicates). The answer for a regime is fully determined by which condition decided each
// step, so each distinct outcome is built once, frozen and shared: a call evaluates the
// conditions, encodes the outcome as a number and looks the answer up.

interface ConditionPlan {
  folded: CompiledCondition['folded'];
  general: CompiledCondition['general'];
  held: Reason;
  failed: Reason;
  undetermined: boolean;
}

interface RoutePlan {
  route: Route;
  basis: Reason;
  grounds: ConditionPlan[][];
  /** Number of distinct outcomes: allowed by one of the grounds, or a failing condition per ground. */
  outcomes: number;
}

/** Class spaces up to this size keep their answers in an array. */
const SMALL_CLASS_SPACE = 1 << 14;

/** Stop remembering new class combinations beyond this many per regime. */
const MAX_REMEMBERED = 100_000;

interface RegimePlan {
  /** Slot order of the attributes, and the parameter values the folded forms have built in. */
  layout: SlotLayout;
  defaults: ParameterValues | undefined;
  /**
   * When every condition reads attributes only through comparisons with constants, the
   * attributes' classes (SlotClasses) decide the answer: the slots read and their weights in
   * the class number, and the answers found so far by class number.
   */
  memo?: { slots: number[]; weights: number[]; combinations: number };
  /** Answers by class number: an array for small class spaces, else a map. */
  byClass: (RegimeApplicability | undefined)[] | Map<number, RegimeApplicability>;
  applies: ConditionPlan[];
  routes: RoutePlan[];
  notes: ConditionPlan[];
  /** False when the outcome space is too large to encode in a number (never with real rules). */
  cacheable: boolean;
  /** The attributes any of the regime's conditions reads, evidence conditions included. */
  reads: ReadonlySet<string>;
  answers: Map<number, RegimeApplicability>;
}

function reasonOf(condition: RuleCondition, held: boolean, prefix: string): Reason {
  return Object.freeze({
    condition: prefix + condition.id,
    held,
    text: held ? condition.holds : condition.fails,
    citation: condition.citation,
    ...(condition.confidence ? { confidence: condition.confidence } : {}),
  });
}

function conditionPlan(condition: RuleCondition, prefix = ''): ConditionPlan {
  return {
    folded: condition.compiled.folded,
    general: condition.compiled.general,
    held: reasonOf(condition, true, prefix),
    failed: reasonOf(condition, false, prefix),
    undetermined: condition.undetermined,
  };
}

const plans = new WeakMap<Regime, RegimePlan>();

function planOf(regime: Regime): RegimePlan {
  let plan = plans.get(regime);
  if (plan) return plan;
  const routes = regime.routes.map((route): RoutePlan => {
    const grounds = route.grounds.map((ground) => {
      // A ground that is a single condition of the same name is reported by that name alone.
      const prefix =
        ground.conditions.length === 1 && ground.conditions[0].id === ground.id ? '' : `${ground.id}.`;
      return ground.conditions.map((c) => conditionPlan(c, prefix));
    });
    const failures = grounds.reduce((product, g) => product * Math.max(g.length, 1), 1);
    return {
      route,
      basis: Object.freeze({ condition: 'basis', held: true, text: route.basis, citation: route.citation }),
      grounds,
      outcomes: grounds.length === 0 ? 1 : grounds.length + failures,
    };
  });
  const notes = regime.notes.map((n) => conditionPlan(n));
  const space =
    (regime.applies.length + 1) * routes.reduce((product, r) => product * r.outcomes, 1) * 2 ** notes.length;
  const all = [
    ...regime.applies,
    ...regime.routes.flatMap((r) => r.grounds.flatMap((g) => g.conditions)),
    ...regime.notes,
  ];
  const layout = all[0]?.compiled.layout ?? { names: [], defaults: [], index: new Map(), exact: [] };
  const memo = memoOf(all, layout);
  plan = {
    layout,
    defaults: all[0]?.compiled.defaults,
    memo,
    byClass: memo && memo.combinations <= SMALL_CLASS_SPACE ? new Array(memo.combinations) : new Map(),
    applies: regime.applies.map((c) => conditionPlan(c)),
    routes,
    notes,
    cacheable: space < Number.MAX_SAFE_INTEGER,
    answers: new Map(),
    reads: attributesReadBy([
      ...all.map((c) => c.compiled),
      ...[...regime.evidence, ...regime.routes.flatMap((r) => r.evidence)].flatMap((e) =>
        e.when ? [e.when.compiled] : [],
      ),
    ]),
  };
  plans.set(regime, plan);
  return plan;
}

function attributesReadBy(conditions: CompiledCondition[]): Set<string> {
  const names = new Set<string>();
  for (const { reads, layout } of conditions) {
    for (const slot of [...reads.constants.keys(), ...reads.opaque]) names.add(layout.names[slot]);
  }
  return names;
}

function memoOf(conditions: RuleCondition[], layout: SlotLayout): RegimePlan['memo'] {
  const classes = layout.classes;
  if (!classes) return undefined;
  const slots = new Set<number>();
  for (const { compiled } of conditions) {
    if (compiled.layout !== layout) return undefined;
    for (const slot of compiled.reads.constants.keys()) slots.add(slot);
    for (const slot of compiled.reads.opaque) {
      if (!layout.exact[slot]) return undefined; // read some other way: its class is not enough
      slots.add(slot);
    }
  }
  const read = [...slots].sort((a, b) => a - b);
  const weights = new Array<number>(read.length);
  let combinations = 1;
  for (let i = read.length - 1; i >= 0; i--) {
    const radix = classes.radix[read[i]];
    if (!radix) return undefined;
    weights[i] = combinations;
    combinations *= radix;
    if (combinations > 2 ** 31) return undefined;
  }
  return { slots: read, weights, combinations };
}

function holds(condition: ConditionPlan, slots: Slots, params: ParameterValues, folded: boolean): boolean {
  return folded ? condition.folded(slots) : condition.general(slots, params);
}

/** Which ground allows the route (its index), or which condition failed in each ground. */
function routeOutcome(route: RoutePlan, s: Slots, p: ParameterValues, folded: boolean): number {
  const grounds = route.grounds;
  if (grounds.length === 0) return 0;
  let failures = 0;
  let weight = 1;
  for (let g = 0; g < grounds.length; g++) {
    const conditions = grounds[g];
    let i = 0;
    while (i < conditions.length && holds(conditions[i], s, p, folded)) i++;
    if (i === conditions.length) return g;
    failures += i * weight;
    weight *= conditions.length;
  }
  return grounds.length + failures;
}

function routeAssessment(
  plan: RoutePlan,
  outcome: number,
): { allowed: boolean; assessment: RouteAssessment } {
  const { route, grounds } = plan;
  const reasons: Reason[] = [plan.basis];
  const allowed = grounds.length === 0 || outcome < grounds.length;
  if (grounds.length > 0 && allowed) {
    // The first ground that allows the route explains it; the others do not matter.
    reasons.push(...grounds[outcome].map((c) => c.held));
  } else if (!allowed) {
    let failures = outcome - grounds.length;
    for (const conditions of grounds) {
      const failed = failures % conditions.length;
      failures = Math.floor(failures / conditions.length);
      reasons.push(conditions[failed].failed);
    }
  }
  return {
    allowed,
    assessment: Object.freeze({
      id: route.id,
      title: route.title,
      notifiedBody: route.notifiedBody,
      // The ground that allows the route may run it on its own workflow (e.g. partly completed machinery).
      workflow:
        (allowed && grounds.length > 0 ? route.grounds[outcome].workflow : undefined) ?? route.workflow,
      reasons: Object.freeze(reasons) as Reason[],
    }),
  };
}

function buildAnswer(
  regime: Regime,
  plan: RegimePlan,
  decidedAt: number,
  routeOutcomes: number[],
  notesMask: number,
): RegimeApplicability {
  const applies = decidedAt === plan.applies.length;
  const reasons = plan.applies.slice(0, decidedAt).map((c) => c.held);
  if (!applies) reasons.push(plan.applies[decidedAt].failed);
  const status: RegimeStatus = applies
    ? 'applies'
    : plan.applies[decidedAt].undetermined
      ? 'undetermined'
      : 'not-applicable';
  const routes: RouteAssessment[] = [];
  const routesNotAllowed: RouteAssessment[] = [];
  routeOutcomes.forEach((outcome, index) => {
    const { allowed, assessment } = routeAssessment(plan.routes[index], outcome);
    (allowed ? routes : routesNotAllowed).push(assessment);
  });
  const notes = plan.notes.filter((_, index) => notesMask & (1 << index)).map((n) => n.held);
  return Object.freeze({
    regime: regime.id,
    market: regime.market,
    title: regime.title,
    legalReference: regime.legalReference,
    applies,
    status,
    reasons: Object.freeze(reasons) as Reason[],
    routes: Object.freeze(routes) as RouteAssessment[],
    routesNotAllowed: Object.freeze(routesNotAllowed) as RouteAssessment[],
    notifiedBodyRequired: applies && routes.length > 0 && routes.every((r) => r.notifiedBody),
    notes: Object.freeze(notes) as Reason[],
  });
}

/**
 * Evaluates one regime for one variant. The answer is frozen and may be shared between calls
 * with the same outcome: copy it to change it.
 */
export function assessRegime(
  regime: Regime,
  attributes: Variables,
  params: ParameterValues,
): RegimeApplicability {
  const plan = planOf(regime);
  const slots = toSlots(plan.layout, attributes);
  const codes = plan.layout.classes && classCodes(plan.layout.classes, slots);
  return assessPlanned(regime, plan, slots, codes, params);
}

function assessPlanned(
  regime: Regime,
  plan: RegimePlan,
  slots: Slots,
  codes: readonly number[] | undefined,
  params: ParameterValues,
): RegimeApplicability {
  const folded = params === plan.defaults;
  let classes = -1;
  if (folded && plan.memo && codes) {
    const { slots: read, weights } = plan.memo;
    classes = 0;
    for (let i = 0; i < read.length; i++) {
      const code = codes[read[i]];
      if (code < 0) {
        classes = -1;
        break;
      }
      classes += code * weights[i];
    }
    if (classes >= 0) {
      const known = Array.isArray(plan.byClass) ? plan.byClass[classes] : plan.byClass.get(classes);
      if (known) return known;
    }
  }
  const answer = evaluate(regime, plan, slots, params, folded);
  if (classes >= 0) {
    if (Array.isArray(plan.byClass)) plan.byClass[classes] = answer;
    else if (plan.byClass.size < MAX_REMEMBERED) plan.byClass.set(classes, answer);
  }
  return answer;
}

function evaluate(
  regime: Regime,
  plan: RegimePlan,
  slots: Slots,
  params: ParameterValues,
  folded: boolean,
): RegimeApplicability {
  const conditions = plan.applies;
  let decidedAt = 0;
  while (decidedAt < conditions.length && holds(conditions[decidedAt], slots, params, folded)) decidedAt++;
  let key = decidedAt;
  const routeOutcomes: number[] = [];
  if (decidedAt === conditions.length) {
    for (const route of plan.routes) {
      const outcome = routeOutcome(route, slots, params, folded);
      routeOutcomes.push(outcome);
      key = key * route.outcomes + outcome;
    }
  }
  let notesMask = 0;
  for (let i = 0; i < plan.notes.length; i++) {
    if (holds(plan.notes[i], slots, params, folded)) notesMask |= 1 << i;
  }
  key = key * 2 ** plan.notes.length + notesMask;
  if (!plan.cacheable) return buildAnswer(regime, plan, decidedAt, routeOutcomes, notesMask);
  let answer = plan.answers.get(key);
  if (!answer) {
    answer = buildAnswer(regime, plan, decidedAt, routeOutcomes, notesMask);
    plan.answers.set(key, answer);
  }
  return answer;
}

/**
 * One entry per regime of the asked markets, in the order the rules define them.
 * `attributes` are the variant's effective attributes; `params` the rules' parameter values.
 */
export function assessApplicability(
  regimes: Iterable<Regime>,
  attributes: Variables,
  params: ParameterValues,
  markets?: readonly Market[],
): RegimeApplicability[] {
  const results: RegimeApplicability[] = [];
  // Regimes compiled together share one slot layout: convert the attributes once.
  let layout: SlotLayout | undefined;
  let slots: Slots = [];
  let codes: readonly number[] | undefined;
  for (const regime of regimes) {
    if (markets && !markets.includes(regime.market)) continue;
    const plan = planOf(regime);
    if (plan.layout !== layout) {
      layout = plan.layout;
      slots = toSlots(layout, attributes);
      codes = layout.classes && params === plan.defaults ? classCodes(layout.classes, slots) : undefined;
    }
    results.push(assessPlanned(regime, plan, slots, codes, params));
  }
  return results;
}

function applicable(
  requirement: EvidenceRequirement,
  attributes: Variables,
  params: ParameterValues,
): boolean {
  return !requirement.when || requirement.when.test(attributes, params);
}

/**
 * The evidence kinds a regime and route require for a variant, per step (the shape of
 * `GuardFacts.required`): the regime's requirements, then the route's, each kind once per step.
 */
export function requiredEvidence(
  regime: Regime,
  routeId: string,
  attributes: Variables,
  params: ParameterValues,
): Partial<Record<EvidenceStep, string[]>> {
  const route = regime.routes.find((r) => r.id === routeId);
  const required: Partial<Record<EvidenceStep, string[]>> = {};
  for (const requirement of [...regime.evidence, ...(route?.evidence ?? [])]) {
    if (!applicable(requirement, attributes, params)) continue;
    const kinds = (required[requirement.step] ??= []);
    if (!kinds.includes(requirement.kind)) kinds.push(requirement.kind);
  }
  return required;
}

/**
 * A note naming the attributes a regime's conditions read that neither the product nor the
 * variant declares: the answer assumed the vocabulary's default for each (an undeclared supply
 * voltage is 0 V, which takes the LVD out of scope), and whoever relies on it must know that. It
 * lists every such attribute the regime reads, also where the deciding condition did not get to
 * read it, hence "may depend".
 */
export function assumedDefaultsNote(
  regime: Regime,
  declared: ReadonlySet<string>,
  vocabulary: AttributeVocabulary,
): Reason | undefined {
  const { reads } = planOf(regime);
  const assumed = [...vocabulary.values()].filter((def) => !declared.has(def.name) && reads.has(def.name));
  if (assumed.length === 0) return undefined;
  const values = assumed.map((def) => `${def.name} = ${describeValue(def.default, def.unit)}`);
  const one = assumed.length === 1;
  return {
    condition: 'assumed-defaults',
    held: true,
    text:
      `Neither the product nor the variant declares ${one ? 'this attribute' : 'these attributes'}, ` +
      `so this answer assumed the vocabulary's default: ${values.join(', ')}. Declare ` +
      `${one ? 'it' : 'each one'} if that is not true of the product: the answer may depend on ${one ? 'it' : 'them'}.`,
    citation: 'rules/attributes.yaml (defaults)',
  };
}

function describeValue(value: AttributeValue, unit: string | undefined): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  return unit ? `${value} ${unit}` : String(value);
}
