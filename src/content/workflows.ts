import { EVIDENCE_STEPS, type EvidenceStep } from '../cases/guard-facts.js';
import {
  compileGuard,
  guardNeeds,
  roleProblems,
  type GuardContext,
  type GuardRef,
  type SenderRole,
} from '../cases/guards.js';
import { ContentError, ProblemCollector } from './content-problem.js';
import { isObject, noUnknownKeys, objectAt, stringAt, stringListAt, type JsonObject } from './yaml-shape.js';

/*
 * Workflow definitions (design §3.4): XState v5 machine configs kept as data. This module checks
 * one parsed config and derives what the service needs from it (per state: final?, status,
 * description, evidence; per event: target, roles, guard, signature). It reads no files, so a
 * case can rebuild the definition it pinned from the stored JSON (`definitionFromConfig`).
 *
 * The shape a workflow may use, kept deliberately small (flat and event-driven):
 *
 *   id, version (integer), title, description?, initial, states
 *   states.<name>:  type: final?   meta: { description, evidence?, roles, status? }   on: { EVENT: transition }
 *   transition:     <target>   or   { target, guard?, description? }
 *   guard:          { type: <guard name>, params: { … } }            (guards.ts)
 *   meta.evidence:  { steps?: [evidence step], kinds?: [evidence kind] }   (what the state needs)
 *   meta.roles:     { EVENT: [role, …] }  who may send each event (admin always may)
 *   meta.status:    the case status while in the state (default in-progress; final states: closed)
 *
 * Conventions the service relies on:
 *   - a transition needs a signature when its guard contains `signaturePresent { meaning }`; the
 *     meaning is derived into `WorkflowEvent.signature`;
 *   - `signatureCurrent { meaning }` names an earlier signature the step relies on; it blocks
 *     while that signature is missing or stale.
 */

/** What a case is doing, as a user would say it (the API's `status`). */
export const CASE_STATUSES = [
  'in-progress',
  'placed-on-market',
  'suspended',
  'discontinued',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface WorkflowEvent {
  type: string;
  target: string;
  description?: string;
  /** Roles that may send the event (admin always may). */
  roles: SenderRole[];
  guard?: GuardRef;
  /** Meaning of the signature the event must carry, when it needs one. */
  signature?: string;
  /** Meanings of earlier signatures that must still be current. */
  reliesOnSignatures: string[];
  /** Evidence the guard checks: kinds by name, and steps of the case's own requirements. */
  evidence: { steps: EvidenceStep[]; kinds: string[] };
  /** Steps whose required kinds must be accepted during the current state (requiredEvidenceAcceptedSince). */
  stepsSince: EvidenceStep[];
}

export interface WorkflowState {
  name: string;
  final: boolean;
  status: CaseStatus;
  description: string;
  /** Evidence the state needs (meta.evidence). */
  evidence: { steps: EvidenceStep[]; kinds: string[] };
  /** The events the state accepts, in file order. */
  events: WorkflowEvent[];
}

export interface WorkflowDefinition {
  id: string;
  version: number;
  title: string;
  description?: string;
  /** Content file it came from, e.g. `workflows/eu-module-a.yaml`. */
  file: string;
  /** SHA-256 of the file bytes, lowercase hex. */
  hash: string;
  initial: string;
  /** The machine config exactly as served by GET /workflows/{id}; loads in stock `createMachine`. */
  config: Readonly<JsonObject>;
  states: Readonly<Record<string, WorkflowState>>;
  /**
   * The evidence steps some guard checks (requiredEvidenceAccepted), in EVIDENCE_STEPS order. A
   * route that requires evidence for a step outside this list would never have it enforced.
   */
  evidenceSteps: EvidenceStep[];
  /**
   * The steps for which some guard asks for evidence accepted during the current state
   * (requiredEvidenceAcceptedSince): a third party's new decision. A route on this workflow must
   * require a kind at each, or the decision would be recorded with nothing to show for it.
   */
  decisionSteps: EvidenceStep[];
}

const TOP_KEYS = ['id', 'version', 'title', 'description', 'initial', 'states'];
const STATE_KEYS = ['type', 'meta', 'on'];
const META_KEYS = ['description', 'evidence', 'roles', 'status'];
const TRANSITION_KEYS = ['target', 'guard', 'description'];

/** XState features a workflow may not use, with the reason given to the content author. */
const UNSUPPORTED: Record<string, string> = {
  invoke: 'machines do no I/O: the service does it and sends the result in as an event',
  after: 'no timers: the service sends an event when a date is reached',
  always: 'no eventless transitions: every step is an event someone sends',
  entry: 'no actions: the service records what happens, the machine only decides',
  exit: 'no actions: the service records what happens, the machine only decides',
  actions: 'no actions: the service records what happens, the machine only decides',
  context: 'no context: guards read the facts sent with each event',
  states: 'no nested states: machines are flat',
  initial: 'no nested states: machines are flat',
  history: 'no history states: machines are flat',
  onDone: 'no nested states or actors: machines are flat',
  output: 'no machine output',
  reenter: 'no re-entering: transitions only move between states',
  on: 'no machine-level events: each state lists the events it accepts',
  type: 'the machine itself has no type: it is flat, not parallel',
};

const ID = /^[a-z][a-z0-9-]*$/;
const STATE_NAME = /^[a-z][a-z0-9_]*$/;
const EVENT_TYPE = /^[A-Z][A-Z0-9_]*$/;

function reportUnknown(
  p: ProblemCollector,
  path: string,
  value: JsonObject,
  allowed: string[],
  unsupported: string[],
) {
  const others: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (allowed.includes(key)) continue;
    if (unsupported.includes(key))
      p.add(path ? `${path}.${key}` : key, `'${key}' is not supported: ${UNSUPPORTED[key]}`);
    else others[key] = v;
  }
  noUnknownKeys(p, path, others, allowed);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

interface EvidenceList {
  steps: EvidenceStep[];
  kinds: string[];
}

function readEvidence(p: ProblemCollector, path: string, value: unknown, ctx: GuardContext): EvidenceList {
  const list: EvidenceList = { steps: [], kinds: [] };
  if (value === undefined) return list;
  const spec = objectAt(p, path, value);
  if (!spec) return list;
  noUnknownKeys(p, path, spec, ['steps', 'kinds']);
  (stringListAt(p, `${path}.steps`, spec.steps, true) ?? []).forEach((step, i) => {
    if ((EVIDENCE_STEPS as readonly string[]).includes(step)) list.steps.push(step as EvidenceStep);
    else
      p.add(`${path}.steps[${i}]`, `unknown step '${step}' (expected one of ${EVIDENCE_STEPS.join(', ')})`);
  });
  (stringListAt(p, `${path}.kinds`, spec.kinds, true) ?? []).forEach((kind, i) => {
    if (ctx.evidenceKinds && !ctx.evidenceKinds.has(kind)) {
      p.add(`${path}.kinds[${i}]`, `unknown evidence kind '${kind}' (see rules/evidence-kinds.yaml)`);
    }
    list.kinds.push(kind);
  });
  return list;
}

function readRoles(p: ProblemCollector, path: string, value: unknown): SenderRole[] {
  const roles = stringListAt(p, path, value);
  if (!roles) return [];
  if (roles.length === 0) p.add(path, 'must name at least one role');
  const problems = roleProblems(roles);
  problems.forEach(({ index, message }) => p.add(`${path}[${index}]`, message));
  return problems.length === 0 ? (roles as SenderRole[]) : [];
}

function readTransition(
  p: ProblemCollector,
  path: string,
  type: string,
  raw: unknown,
  stateNames: Set<string>,
  ctx: GuardContext,
): Omit<WorkflowEvent, 'roles'> | undefined {
  if (Array.isArray(raw)) {
    p.add(path, 'one transition per event: write { target, guard } (guarded alternatives are not supported)');
    return undefined;
  }
  const spec: JsonObject | undefined = typeof raw === 'string' ? { target: raw } : objectAt(p, path, raw);
  if (!spec) return undefined;
  reportUnknown(p, path, spec, TRANSITION_KEYS, ['actions', 'reenter']);
  const target = stringAt(p, `${path}.target`, spec.target);
  if (target !== undefined && !stateNames.has(target)) {
    p.add(
      `${path}.target`,
      `target state '${target}' does not exist (write the name of a state of this workflow)`,
    );
  }
  const description = stringAt(p, `${path}.description`, spec.description, true);
  let guard: GuardRef | undefined;
  let needs = guardNeeds(undefined);
  if (spec.guard !== undefined) {
    const compiled = compileGuard(
      spec.guard,
      (sub, message) => p.add(`${path}.guard${sub ? `.${sub}` : ''}`, message),
      ctx,
    );
    if (compiled) {
      guard = spec.guard as unknown as GuardRef;
      needs = guardNeeds(guard);
      if (needs.signatures.length > 1) {
        p.add(
          `${path}.guard`,
          `an event carries one signature; this guard asks for ${needs.signatures.length}`,
        );
      }
    }
  }
  if (target === undefined) return undefined;
  return {
    type,
    target,
    ...(description !== undefined ? { description } : {}),
    ...(guard ? { guard } : {}),
    ...(needs.signatures[0] !== undefined ? { signature: needs.signatures[0] } : {}),
    reliesOnSignatures: needs.signaturesCurrent,
    evidence: { steps: needs.steps, kinds: needs.kinds },
    stepsSince: needs.stepsSince,
  };
}

function readState(
  p: ProblemCollector,
  name: string,
  raw: unknown,
  stateNames: Set<string>,
  ctx: GuardContext,
): WorkflowState | undefined {
  const path = `states.${name}`;
  if (!STATE_NAME.test(name)) p.add(path, 'state names are lower-case words joined by underscores');
  const spec = objectAt(p, path, raw);
  if (!spec) return undefined;
  reportUnknown(p, path, spec, STATE_KEYS, Object.keys(UNSUPPORTED));
  if (spec.type !== undefined && spec.type !== 'final') {
    p.add(`${path}.type`, "only 'final' is supported: machines are flat (no parallel or history states)");
  }
  const final = spec.type === 'final';

  const meta = objectAt(p, `${path}.meta`, spec.meta) ?? {};
  noUnknownKeys(p, `${path}.meta`, meta, META_KEYS);
  const description = stringAt(p, `${path}.meta.description`, meta.description) ?? '';
  const evidence = readEvidence(p, `${path}.meta.evidence`, meta.evidence, ctx);
  const status = (stringAt(p, `${path}.meta.status`, meta.status, true) ??
    (final ? 'closed' : 'in-progress')) as CaseStatus;
  if (!CASE_STATUSES.includes(status)) {
    p.add(`${path}.meta.status`, `must be one of ${CASE_STATUSES.join(', ')}`);
  } else if (final !== (status === 'closed')) {
    p.add(`${path}.meta.status`, final ? 'a final state is closed' : 'only final states are closed');
  }

  const events: WorkflowEvent[] = [];
  if (final) {
    if (spec.on !== undefined) p.add(`${path}.on`, 'a final state accepts no events');
    if (meta.roles !== undefined) p.add(`${path}.meta.roles`, 'a final state accepts no events');
    return { name, final, status, description, evidence, events };
  }

  const on = objectAt(p, `${path}.on`, spec.on) ?? {};
  if (isObject(spec.on) && Object.keys(on).length === 0) {
    p.add(`${path}.on`, 'a state that is not final must accept at least one event');
  }
  const roles = meta.roles === undefined ? {} : (objectAt(p, `${path}.meta.roles`, meta.roles) ?? {});
  for (const type of Object.keys(roles)) {
    if (!(type in on)) p.add(`${path}.meta.roles.${type}`, `'${type}' is not an event of this state`);
  }
  for (const [type, rawTransition] of Object.entries(on)) {
    const eventPath = `${path}.on.${type}`;
    if (!EVENT_TYPE.test(type)) {
      p.add(eventPath, 'event types are upper-case words joined by underscores (no wildcards)');
      continue;
    }
    const transition = readTransition(p, eventPath, type, rawTransition, stateNames, ctx);
    let eventRoles: SenderRole[] = [];
    if (roles[type] === undefined) p.add(`${path}.meta.roles.${type}`, `say which roles may send ${type}`);
    else eventRoles = readRoles(p, `${path}.meta.roles.${type}`, roles[type]);
    if (!transition) continue;
    // meta.evidence is what the UI shows as the state's needs; it must cover what the guards check.
    for (const kind of transition.evidence.kinds) {
      if (!evidence.kinds.includes(kind)) {
        p.add(`${path}.meta.evidence.kinds`, `the guard of ${type} checks '${kind}'; list it here`);
      }
    }
    for (const step of transition.evidence.steps) {
      if (!evidence.steps.includes(step)) {
        p.add(`${path}.meta.evidence.steps`, `the guard of ${type} checks step '${step}'; list it here`);
      }
    }
    events.push({ ...transition, roles: eventRoles });
  }
  return { name, final, status, description, evidence, events };
}

/** States from which `from` can be left towards, following events forwards (or backwards). */
function reach(states: Record<string, WorkflowState>, start: string[], backwards: boolean): Set<string> {
  const edges = new Map<string, string[]>();
  for (const state of Object.values(states)) {
    for (const event of state.events) {
      const [from, to] = backwards ? [event.target, state.name] : [state.name, event.target];
      edges.set(from, [...(edges.get(from) ?? []), to]);
    }
  }
  const seen = new Set(start);
  const queue = [...start];
  while (queue.length > 0) {
    for (const next of edges.get(queue.shift() as string) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/**
 * Checks one parsed workflow config and derives its definition. Problems go to `p` (paths inside
 * the file); the result is undefined when there were any.
 */
export function compileWorkflow(
  p: ProblemCollector,
  document: unknown,
  source: { file: string; hash: string },
  ctx: GuardContext = {},
): WorkflowDefinition | undefined {
  const before = p.problems.length;
  // A private copy: the definition (and the guard params XState and the engine share) hang off it.
  const root = objectAt(p, '', structuredClone(document));
  if (!root) return undefined;
  reportUnknown(p, '', root, TOP_KEYS, Object.keys(UNSUPPORTED));

  const id = stringAt(p, 'id', root.id);
  if (id !== undefined && !ID.test(id)) p.add('id', 'workflow ids are lower-case words joined by hyphens');
  if (!(typeof root.version === 'number' && Number.isInteger(root.version) && root.version > 0)) {
    p.add('version', 'must be a positive whole number (raise it when the workflow changes)');
  }
  const title = stringAt(p, 'title', root.title);
  const description = stringAt(p, 'description', root.description, true);

  const rawStates = objectAt(p, 'states', root.states) ?? {};
  if (isObject(root.states) && Object.keys(rawStates).length === 0)
    p.add('states', 'must list at least one state');
  const stateNames = new Set(Object.keys(rawStates));
  const states: Record<string, WorkflowState> = {};
  for (const [name, raw] of Object.entries(rawStates)) {
    const state = readState(p, name, raw, stateNames, ctx);
    if (state) states[name] = state;
  }

  const initial = stringAt(p, 'initial', root.initial);
  if (initial !== undefined && !stateNames.has(initial)) {
    p.add('initial', `initial state '${initial}' does not exist`);
  }
  const finals = Object.values(states).filter((s) => s.final);
  if (stateNames.size > 0 && finals.length === 0) p.add('states', 'needs a final state (type: final)');

  if (p.problems.length === before && initial !== undefined) {
    const reachable = reach(states, [initial], false);
    const canFinish = reach(
      states,
      finals.map((s) => s.name),
      true,
    );
    for (const name of stateNames) {
      if (!reachable.has(name))
        p.add(`states.${name}`, `cannot be reached from the initial state '${initial}'`);
      else if (!canFinish.has(name)) p.add(`states.${name}`, 'no final state can be reached from here');
    }
  }

  if (p.problems.length > before || id === undefined || title === undefined || initial === undefined) {
    return undefined;
  }
  return deepFreeze({
    id,
    version: root.version as number,
    title,
    ...(description !== undefined ? { description } : {}),
    file: source.file,
    hash: source.hash,
    initial,
    config: root,
    states,
    evidenceSteps: EVIDENCE_STEPS.filter((step) =>
      Object.values(states).some((state) =>
        state.events.some((event) => event.evidence.steps.includes(step)),
      ),
    ),
    decisionSteps: EVIDENCE_STEPS.filter((step) =>
      Object.values(states).some((state) => state.events.some((event) => event.stepsSince.includes(step))),
    ),
  });
}

/**
 * Rebuilds the definition of a config a case pinned (stored when the case opened). Evidence kinds
 * are not checked again: the vocabulary may have moved on, the pinned workflow must still run.
 */
export function definitionFromConfig(
  config: unknown,
  source: { file: string; hash: string },
): WorkflowDefinition {
  const p = new ProblemCollector(source.file);
  const definition = compileWorkflow(p, config, source);
  if (!definition) throw new ContentError(p.problems);
  return definition;
}
