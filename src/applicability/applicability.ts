import type { EvidenceStep } from '../cases/guard-facts.js';
import {
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

interface RegimePlan {
  /** Slot order of the attributes, and the parameter values the folded forms have built in. */
  layout: SlotLayout;
  defaults: ParameterValues | undefined;
  applies: ConditionPlan[];
  routes: RoutePlan[];
  notes: ConditionPlan[];
  /** False when the outcome space is too large to encode in a number (never with real rules). */
  cacheable: boolean;
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
  const any = [
    ...regime.applies,
    ...regime.routes.flatMap((r) => r.grounds.flatMap((g) => g.conditions)),
    ...regime.notes,
  ][0];
  plan = {
    layout: any?.compiled.layout ?? { names: [], defaults: [], index: new Map() },
    defaults: any?.compiled.defaults,
    applies: regime.applies.map((c) => conditionPlan(c)),
    routes,
    notes,
    cacheable: space < Number.MAX_SAFE_INTEGER,
    answers: new Map(),
  };
  plans.set(regime, plan);
  return plan;
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
      workflow: route.workflow,
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
  return assessPlanned(regime, plan, toSlots(plan.layout, attributes), params);
}

function assessPlanned(
  regime: Regime,
  plan: RegimePlan,
  slots: Slots,
  params: ParameterValues,
): RegimeApplicability {
  const folded = params === plan.defaults;
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
  for (const regime of regimes) {
    if (markets && !markets.includes(regime.market)) continue;
    const plan = planOf(regime);
    if (plan.layout !== layout) {
      layout = plan.layout;
      slots = toSlots(layout, attributes);
    }
    results.push(assessPlanned(regime, plan, slots, params));
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
