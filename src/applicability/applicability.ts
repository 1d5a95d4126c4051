import type { EvidenceStep } from '../cases/guard-facts.js';
import type { ParameterValues, Variables } from '../content/conditions.js';
import type { Confidence } from '../content/parameters.js';
import type { EvidenceRequirement, Market, Regime, RouteId, RuleCondition } from '../content/regimes.js';

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

// Each condition's two possible reasons are built once per condition and shared, so that
// evaluating thousands of variants allocates only the arrays.
const heldReasons = new WeakMap<RuleCondition, Map<string, Reason>>();
const failedReasons = new WeakMap<RuleCondition, Map<string, Reason>>();

function reason(condition: RuleCondition, held: boolean, prefix = ''): Reason {
  const cache = held ? heldReasons : failedReasons;
  let byPrefix = cache.get(condition);
  if (!byPrefix) cache.set(condition, (byPrefix = new Map()));
  let r = byPrefix.get(prefix);
  if (!r) {
    r = Object.freeze({
      condition: prefix + condition.id,
      held,
      text: held ? condition.holds : condition.fails,
      citation: condition.citation,
      ...(condition.confidence ? { confidence: condition.confidence } : {}),
    });
    byPrefix.set(prefix, r);
  }
  return r;
}

const basisReasons = new WeakMap<object, Reason>();

function basisReason(route: Regime['routes'][number]): Reason {
  let r = basisReasons.get(route);
  if (!r) {
    r = Object.freeze({ condition: 'basis', held: true, text: route.basis, citation: route.citation });
    basisReasons.set(route, r);
  }
  return r;
}

/** Evaluates one regime for one variant. */
export function assessRegime(
  regime: Regime,
  attributes: Variables,
  params: ParameterValues,
): RegimeApplicability {
  const reasons: Reason[] = [];
  let status: RegimeStatus = 'applies';
  for (const condition of regime.applies) {
    const held = condition.test(attributes, params);
    reasons.push(reason(condition, held));
    if (!held) {
      status = condition.undetermined ? 'undetermined' : 'not-applicable';
      break;
    }
  }
  const routes: RouteAssessment[] = [];
  const routesNotAllowed: RouteAssessment[] = [];
  if (status === 'applies') {
    for (const route of regime.routes) {
      const routeReasons: Reason[] = [basisReason(route)];
      let allowed = route.grounds.length === 0;
      for (const ground of route.grounds) {
        const prefix =
          ground.conditions.length === 1 && ground.conditions[0].id === ground.id ? '' : `${ground.id}.`;
        const groundReasons: Reason[] = [];
        let holds = true;
        for (const condition of ground.conditions) {
          const held = condition.test(attributes, params);
          groundReasons.push(reason(condition, held, prefix));
          if (!held) {
            holds = false;
            break;
          }
        }
        if (holds) {
          // The first ground that allows the route explains it; the others do not matter.
          routeReasons.length = 1;
          routeReasons.push(...groundReasons);
          allowed = true;
          break;
        }
        routeReasons.push(groundReasons[groundReasons.length - 1]);
      }
      const assessment: RouteAssessment = {
        id: route.id,
        title: route.title,
        notifiedBody: route.notifiedBody,
        workflow: route.workflow,
        reasons: routeReasons,
      };
      (allowed ? routes : routesNotAllowed).push(assessment);
    }
  }
  const notes: Reason[] = [];
  for (const note of regime.notes) {
    if (note.test(attributes, params)) notes.push(reason(note, true));
  }
  const applies = status === 'applies';
  return {
    regime: regime.id,
    market: regime.market,
    title: regime.title,
    legalReference: regime.legalReference,
    applies,
    status,
    reasons,
    routes,
    routesNotAllowed,
    notifiedBodyRequired: applies && routes.length > 0 && routes.every((r) => r.notifiedBody),
    notes,
  };
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
  for (const regime of regimes) {
    if (markets && !markets.includes(regime.market)) continue;
    results.push(assessRegime(regime, attributes, params));
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
