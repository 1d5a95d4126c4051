import type { Role } from '../auth/auth.entity.js';
import { EVIDENCE_STEPS, type EvidenceGap, type EvidenceStep, type GuardFacts } from './guard-facts.js';

/*
 * The workflow guards, implemented once. Workflow files name them with params
 * (`{ type: evidenceAccepted, params: { kinds: [emc-test-report] } }`); this module
 *   - validates those params when content loads (`compileGuard` with a problem reporter),
 *   - says in plain words why a guard blocks (`explainGuard`),
 *   - and gives XState the guard functions (`XSTATE_GUARDS`), `({ event }, params) => boolean`.
 *
 * A guard passes exactly when it has no reason to block, so the answer the API gives
 * (`blockedBy`) and the decision the machine takes can never disagree. Guards are pure: they read
 * only their params and `event.facts` (see guard-facts.ts).
 */

/** A guard as a workflow names it. */
export interface GuardRef {
  type: string;
  params?: unknown;
}

/**
 * Roles that may send events: customisers of the variant's organisation and the legal team
 * (admins always may). Auditors only read and maintainers look after base products (design §2),
 * so a workflow may not name them.
 */
export const SENDER_ROLES = ['admin', 'customiser', 'legal'] as const satisfies readonly Role[];
export type SenderRole = (typeof SENDER_ROLES)[number];

/** What guard params are checked against when content loads. */
export interface GuardContext {
  /** Declared evidence kinds (rules/evidence-kinds.yaml). Omitted: kinds are not checked. */
  evidenceKinds?: ReadonlySet<string>;
}

/** Reports a problem at a path relative to the guard ref (e.g. `params.kinds[1]`). */
export type GuardReport = (path: string, message: string) => void;

/** A guard with validated params: given the facts, the reasons it blocks (none = passes). */
export type CompiledGuard = (facts: GuardFacts) => string[];

interface GuardImplementation {
  /** Plain words on what the guard checks. */
  summary: string;
  /** The params' keys, for the unknown-key check. */
  keys: readonly string[];
  /** Validates params; undefined (with problems reported) when they are wrong. */
  compile(params: Record<string, unknown>, report: GuardReport, ctx: GuardContext): CompiledGuard | undefined;
}

const GAP_WORDS: Record<EvidenceGap, string> = {
  missing: 'nothing uploaded yet',
  'pending-review': 'an item is pending review',
  rejected: 'the item was rejected',
  expired: 'the item has expired',
  superseded: 'the item was superseded and its replacement is not accepted yet',
};

/** Reasons the given kinds are not all satisfied, one per kind, in the order given. */
function evidenceGaps(kinds: Iterable<string>, facts: GuardFacts): string[] {
  const reasons: string[] = [];
  for (const kind of kinds) {
    const fact = facts.evidence[kind];
    if (fact?.satisfied) continue;
    reasons.push(`${kind}: ${GAP_WORDS[fact?.gap ?? 'missing']}`);
  }
  return reasons;
}

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when absent or unreadable. */
function timeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Reasons the given kinds do not each have an item accepted after the case entered its current
 * state (`facts.stateEnteredAt`), one per kind, in the order given. An item accepted earlier is
 * the one the step is meant to replace (the certificate under review, the grant before the
 * permissive change, the previous unit's certificate), so it does not count.
 */
function evidenceGapsSince(kinds: Iterable<string>, facts: GuardFacts): string[] {
  const entered = timeOf(facts.stateEnteredAt);
  const reasons: string[] = [];
  for (const kind of kinds) {
    const fact = facts.evidence[kind];
    if (!fact?.satisfied) {
      reasons.push(`${kind}: ${GAP_WORDS[fact?.gap ?? 'missing']}`);
      continue;
    }
    if (entered === undefined) {
      reasons.push(
        `${kind}: cannot tell whether it was accepted during this step (when the case entered this state is not known)`,
      );
      continue;
    }
    const accepted = timeOf(fact.latestAcceptedAt);
    if (accepted !== undefined && accepted > entered) continue;
    const newest =
      accepted === undefined
        ? 'when the current item was accepted is not known'
        : `the newest was accepted at ${fact.latestAcceptedAt}`;
    reasons.push(
      `${kind}: no item accepted since this step began at ${facts.stateEnteredAt} (${newest}); upload the new decision and accept it`,
    );
  }
  return reasons;
}

/** Validates a `kinds` param against the evidence vocabulary. */
function kindsParam(
  params: Record<string, unknown>,
  report: GuardReport,
  ctx: GuardContext,
): string[] | undefined {
  const kinds = nonEmptyStringList(params.kinds, 'params.kinds', report);
  if (!kinds) return undefined;
  let ok = true;
  kinds.forEach((kind, i) => {
    if (ctx.evidenceKinds && !ctx.evidenceKinds.has(kind)) {
      report(`params.kinds[${i}]`, `unknown evidence kind '${kind}' (see rules/evidence-kinds.yaml)`);
      ok = false;
    }
  });
  return ok ? kinds : undefined;
}

/** Validates a `steps` param against the evidence steps. */
function stepsParam(params: Record<string, unknown>, report: GuardReport): EvidenceStep[] | undefined {
  const steps = nonEmptyStringList(params.steps, 'params.steps', report);
  if (!steps) return undefined;
  let ok = true;
  steps.forEach((step, i) => {
    if (!(EVIDENCE_STEPS as readonly string[]).includes(step)) {
      report(`params.steps[${i}]`, `unknown step '${step}' (expected one of ${EVIDENCE_STEPS.join(', ')})`);
      ok = false;
    }
  });
  return ok ? (steps as EvidenceStep[]) : undefined;
}

/** The kinds the case's regime and route require for the steps, each once. */
function requiredKinds(steps: readonly EvidenceStep[], facts: GuardFacts): Set<string> {
  return new Set(steps.flatMap((step) => facts.required[step] ?? []));
}

function nonEmptyStringList(value: unknown, path: string, report: GuardReport): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) {
    report(path, 'must be a non-empty list of strings');
    return undefined;
  }
  return value as string[];
}

function meaningParam(value: unknown, report: GuardReport): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    report(
      'params.meaning',
      'must be a non-empty string (what the signature means, e.g. "declaration of conformity")',
    );
    return undefined;
  }
  return value;
}

/** True when the sender holds one of `roles`; an admin may do everything (design §2). */
export function rolesAllow(allowed: readonly string[], held: readonly string[]): boolean {
  return held.includes('admin') || held.some((role) => allowed.includes(role));
}

/** "needs role legal; you have customiser" (empty when allowed). */
export function explainRoles(allowed: readonly string[], held: readonly string[]): string[] {
  if (rolesAllow(allowed, held)) return [];
  const needs = allowed.length === 0 ? 'no role may send this event' : `needs role ${allowed.join(' or ')}`;
  return [`${needs}; you have ${held.length > 0 ? held.join(', ') : 'no role'}`];
}

const IMPLEMENTATIONS: Record<string, GuardImplementation> = {
  evidenceAccepted: {
    summary: 'every listed evidence kind has an accepted, unexpired, current item (own or inherited)',
    keys: ['kinds'],
    compile(params, report, ctx) {
      const kinds = kindsParam(params, report, ctx);
      return kinds ? (facts) => evidenceGaps(kinds, facts) : undefined;
    },
  },

  requiredEvidenceAccepted: {
    summary:
      "every evidence kind the case's regime and route require for the listed steps is accepted (facts.required)",
    keys: ['steps'],
    compile(params, report) {
      const steps = stepsParam(params, report);
      // A kind required by two steps is reported once.
      return steps ? (facts) => evidenceGaps(requiredKinds(steps, facts), facts) : undefined;
    },
  },

  evidenceAcceptedSince: {
    summary:
      "every listed evidence kind has a current item accepted after the case entered its current state (a renewed certificate, an updated grant or listing, the next unit's certificate), not only an older one",
    keys: ['kinds'],
    compile(params, report, ctx) {
      const kinds = kindsParam(params, report, ctx);
      return kinds ? (facts) => evidenceGapsSince(kinds, facts) : undefined;
    },
  },

  requiredEvidenceAcceptedSince: {
    summary:
      "every evidence kind the case's regime and route require for the listed steps has a current item accepted after the case entered its current state, so each act's own certificate must be the new decision",
    keys: ['steps'],
    compile(params, report) {
      const steps = stepsParam(params, report);
      return steps ? (facts) => evidenceGapsSince(requiredKinds(steps, facts), facts) : undefined;
    },
  },

  signaturePresent: {
    summary:
      'the event carries a signature with the given meaning (the service records signer, time and hashes)',
    keys: ['meaning'],
    compile(params, report) {
      const meaning = meaningParam(params.meaning, report);
      if (meaning === undefined) return undefined;
      return (facts) => {
        if (facts.signature?.meaning === meaning) return [];
        if (facts.signature) {
          return [
            `needs a signature with meaning '${meaning}'; the signature sent means '${facts.signature.meaning}'`,
          ];
        }
        return [`needs a signature with meaning '${meaning}'`];
      };
    },
  },

  signatureCurrent: {
    summary: 'an earlier signature with the given meaning exists and is not stale',
    keys: ['meaning'],
    compile(params, report) {
      const meaning = meaningParam(params.meaning, report);
      if (meaning === undefined) return undefined;
      return (facts) => {
        const fact = facts.signatures[meaning];
        if (!fact) return [`needs the earlier signature '${meaning}', which has not been given`];
        if (!fact.current) {
          const why = fact.staleBecause ? ` (${fact.staleBecause})` : '';
          return [`the signature '${meaning}' is stale${why}; it must be signed again`];
        }
        return [];
      };
    },
  },

  roleAllowed: {
    summary: 'the sender holds one of the listed roles (an admin always does)',
    keys: ['roles'],
    compile(params, report) {
      const roles = nonEmptyStringList(params.roles, 'params.roles', report);
      if (!roles) return undefined;
      const problems = roleProblems(roles);
      problems.forEach(({ index, message }) => report(`params.roles[${index}]`, message));
      if (problems.length > 0) return undefined;
      return (facts) => explainRoles(roles, facts.roles);
    },
  },

  allOf: {
    summary: 'every listed guard passes (a transition names one guard; this combines several)',
    keys: ['guards'],
    compile(params, report, ctx) {
      if (!Array.isArray(params.guards) || params.guards.length === 0) {
        report('params.guards', 'must be a non-empty list of guards');
        return undefined;
      }
      const parts = params.guards.map((ref, i) =>
        compileGuard(
          ref,
          (path, message) => report(`params.guards[${i}]${path ? `.${path}` : ''}`, message),
          ctx,
        ),
      );
      if (parts.some((part) => part === undefined)) return undefined;
      return (facts) => (parts as CompiledGuard[]).flatMap((part) => part(facts));
    },
  },
};

/** The names of every guard a workflow may use. */
export const GUARD_NAMES: readonly string[] = Object.keys(IMPLEMENTATIONS);

/** Plain-words summary of each guard (for documentation and GET /content). */
export const GUARD_SUMMARIES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(IMPLEMENTATIONS).map(([name, impl]) => [name, impl.summary]),
);

/** Problems with role names a workflow gives: unknown roles, auditors and maintainers (who never send events). */
export function roleProblems(roles: readonly string[]): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  roles.forEach((role, index) => {
    if (role === 'auditor') problems.push({ index, message: 'auditors only read; they never send events' });
    else if (role === 'maintainer') {
      problems.push({ index, message: 'maintainers look after base products; they do not send case events' });
    } else if (!(SENDER_ROLES as readonly string[]).includes(role)) {
      problems.push({
        index,
        message: `unknown role '${role}' (expected one of ${SENDER_ROLES.join(', ')})`,
      });
    }
  });
  return problems;
}

/**
 * Validates a guard ref (name and params) and compiles it. Problems go to `report` with paths
 * relative to the ref; the result is undefined when there were any.
 */
export function compileGuard(
  ref: unknown,
  report: GuardReport,
  ctx: GuardContext = {},
): CompiledGuard | undefined {
  if (typeof ref === 'string') {
    report('', `guard '${ref}' needs params: write { type: ${ref}, params: { … } }`);
    return undefined;
  }
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
    report('', 'a guard is a mapping { type, params }');
    return undefined;
  }
  const { type, params, ...rest } = ref as Record<string, unknown>;
  for (const key of Object.keys(rest)) report(key, `unknown key '${key}' (a guard has type and params)`);
  if (typeof type !== 'string' || !(type in IMPLEMENTATIONS)) {
    report('type', `unknown guard '${String(type)}' (expected one of ${GUARD_NAMES.join(', ')})`);
    return undefined;
  }
  const impl = IMPLEMENTATIONS[type];
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    report('params', 'must be a mapping');
    return undefined;
  }
  const given = params as Record<string, unknown>;
  let ok = Object.keys(rest).length === 0;
  for (const key of Object.keys(given)) {
    if (!impl.keys.includes(key)) {
      report(`params.${key}`, `unknown param '${key}' of ${type} (expected ${impl.keys.join(', ')})`);
      ok = false;
    }
  }
  const compiled = impl.compile(given, report, ctx);
  return ok ? compiled : undefined;
}

/** Compiled guards by params object, so XState's guard calls do not re-validate on every event. */
const compiledByParams = new WeakMap<object, CompiledGuard>();

function compiledOrThrow(ref: GuardRef): CompiledGuard {
  const key = typeof ref.params === 'object' && ref.params !== null ? ref.params : undefined;
  const cached = key && compiledByParams.get(key);
  if (cached) return cached;
  const problems: string[] = [];
  const compiled = compileGuard(ref, (path, message) => problems.push(`${path}: ${message}`));
  if (!compiled) throw new Error(`invalid guard ${ref.type}: ${problems.join('; ')}`);
  if (key) compiledByParams.set(key, compiled);
  return compiled;
}

/** Plain-words reasons the guard blocks with these facts (empty = it passes). */
export function explainGuard(ref: GuardRef, facts: GuardFacts): string[] {
  return compiledOrThrow(ref)(facts);
}

export function checkGuard(ref: GuardRef, facts: GuardFacts): boolean {
  return explainGuard(ref, facts).length === 0;
}

/**
 * Facts of an event that carries none (e.g. sent from stock XState tooling): no role, no evidence,
 * no signature, so every guard that needs one blocks. (No requirements are known either, so
 * requiredEvidenceAccepted and requiredEvidenceAcceptedSince alone pass.)
 */
export const NO_FACTS: GuardFacts = Object.freeze({ roles: [], evidence: {}, required: {}, signatures: {} });

function factsOf(event: unknown): GuardFacts {
  const facts = (event as { facts?: GuardFacts } | undefined)?.facts;
  return facts ?? NO_FACTS;
}

type XStateGuard = (args: { event: unknown }, params: unknown) => boolean;

/**
 * The guard implementations for `createMachine(config).provide({ guards: XSTATE_GUARDS })`.
 * `allOf` resolves its parts from this module, not from XState, so the JSON definition stays
 * loadable in stock XState with guards looked up by name.
 */
export const XSTATE_GUARDS: Readonly<Record<string, XStateGuard>> = Object.fromEntries(
  GUARD_NAMES.map((type) => [type, ({ event }, params) => checkGuard({ type, params }, factsOf(event))]),
);

/** What a (valid) guard ref asks for, found by walking it: for state meta and the API. */
export interface GuardNeeds {
  kinds: string[];
  steps: EvidenceStep[];
  /** Kinds that must have an item accepted during the current state (evidenceAcceptedSince). */
  kindsSince: string[];
  /** Steps whose required kinds must be accepted during the current state (requiredEvidenceAcceptedSince). */
  stepsSince: EvidenceStep[];
  /** Meanings of the signature the event itself must carry (signaturePresent; a valid workflow has at most one). */
  signatures: string[];
  /** Meanings of earlier signatures that must still be current (signatureCurrent). */
  signaturesCurrent: string[];
  /** Roles named by roleAllowed guards. */
  roles: string[];
}

export function guardNeeds(ref: GuardRef | undefined): GuardNeeds {
  const needs: GuardNeeds = {
    kinds: [],
    steps: [],
    kindsSince: [],
    stepsSince: [],
    signatures: [],
    signaturesCurrent: [],
    roles: [],
  };
  const add = <T>(list: T[], values: T[]): void => {
    for (const v of values) if (!list.includes(v)) list.push(v);
  };
  const walk = (r: GuardRef): void => {
    const params = (r.params ?? {}) as Record<string, unknown>;
    switch (r.type) {
      case 'evidenceAccepted':
        add(needs.kinds, params.kinds as string[]);
        break;
      case 'requiredEvidenceAccepted':
        add(needs.steps, params.steps as EvidenceStep[]);
        break;
      case 'evidenceAcceptedSince':
        add(needs.kinds, params.kinds as string[]);
        add(needs.kindsSince, params.kinds as string[]);
        break;
      case 'requiredEvidenceAcceptedSince':
        add(needs.steps, params.steps as EvidenceStep[]);
        add(needs.stepsSince, params.steps as EvidenceStep[]);
        break;
      case 'signaturePresent':
        add(needs.signatures, [params.meaning as string]);
        break;
      case 'signatureCurrent':
        add(needs.signaturesCurrent, [params.meaning as string]);
        break;
      case 'roleAllowed':
        add(needs.roles, params.roles as string[]);
        break;
      case 'allOf':
        (params.guards as GuardRef[]).forEach(walk);
        break;
      default:
        break;
    }
  };
  if (ref) walk(ref);
  return needs;
}
