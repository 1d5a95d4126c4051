import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createMachine, initialTransition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { parse as parseYaml } from 'yaml';
import { definitionFromConfig, type WorkflowDefinition, type WorkflowEvent } from '../content/workflows.js';
import { EVIDENCE_STEPS, type CaseEvent, type GuardFacts } from './guard-facts.js';
import {
  availableEvents,
  machineFor,
  start,
  statusOf,
  step,
  type PersistedSnapshot,
  type StepResult,
} from './workflow-engine.js';

/*
 * Model-based tests: for every shipped workflow, xstate/graph finds the shortest path to every
 * state (states serialised by value; the machines have no context), and each path is replayed
 * through the engine (start/step with persisted snapshots round-tripped through JSON, as the
 * database stores them), with facts that satisfy the guards. Then the same events are sent with
 * facts that do not, and must be refused with reasons.
 */

const WORKFLOWS: WorkflowDefinition[] = readdirSync(join(process.cwd(), 'workflows'))
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => {
    const file = `workflows/${name}`;
    return definitionFromConfig(parseYaml(readFileSync(join(process.cwd(), file), 'utf8')), {
      file,
      hash: 'test',
    });
  });

function workflow(id: string): WorkflowDefinition {
  const def = WORKFLOWS.find((w) => w.id === id);
  if (!def) throw new Error(`no workflow ${id}`);
  return def;
}

/** One evidence kind the case's regime requires per step, as the rules would say. */
const REQUIRED: GuardFacts['required'] = Object.fromEntries(
  EVIDENCE_STEPS.map((s) => [s, [`required-for-${s}`]]),
);
/** When every path's case entered its current state, and when its evidence was accepted: after that. */
const ENTERED = '2026-11-01T10:00:00.000Z';
const ACCEPTED = { satisfied: true, satisfiedBy: ['ev-1'], latestAcceptedAt: '2026-11-02T10:00:00.000Z' };

function everyKind(def: WorkflowDefinition): string[] {
  const kinds = new Set(Object.values(REQUIRED).flat());
  for (const state of Object.values(def.states)) for (const kind of state.evidence.kinds) kinds.add(kind);
  return [...kinds];
}

function everyMeaning(def: WorkflowDefinition): string[] {
  const meanings = new Set<string>();
  for (const state of Object.values(def.states)) {
    for (const event of state.events) {
      if (event.signature) meanings.add(event.signature);
      event.reliesOnSignatures.forEach((m) => meanings.add(m));
    }
  }
  return [...meanings];
}

/** Facts under which the event passes: the first role it allows, all evidence, current signatures. */
function passingFacts(def: WorkflowDefinition, event: WorkflowEvent): GuardFacts {
  return {
    roles: [event.roles[0]],
    evidence: Object.fromEntries(everyKind(def).map((k) => [k, ACCEPTED])),
    required: REQUIRED,
    ...(event.signature ? { signature: { meaning: event.signature } } : {}),
    signatures: Object.fromEntries(everyMeaning(def).map((m) => [m, { current: true }])),
    stateEnteredAt: ENTERED,
  };
}

/** Facts of a sender with the right role and nothing else. */
function bareFacts(event: WorkflowEvent): GuardFacts {
  return {
    roles: [event.roles[0]],
    evidence: {},
    required: REQUIRED,
    signatures: {},
    stateEnteredAt: ENTERED,
  };
}

/** True when the event's guard names evidenceAcceptedSince somewhere. */
function sinceKinds(event: WorkflowEvent): boolean {
  return JSON.stringify(event.guard ?? {}).includes('"evidenceAcceptedSince"');
}

function eventOf(def: WorkflowDefinition, state: string, type: string): WorkflowEvent {
  const event = def.states[state].events.find((e) => e.type === type);
  if (!event) throw new Error(`${def.id}: ${state} has no ${type}`);
  return event;
}

/** As the database stores it. */
function roundTrip(persisted: PersistedSnapshot): PersistedSnapshot {
  return JSON.parse(JSON.stringify(persisted)) as PersistedSnapshot;
}

function shortestPaths(def: WorkflowDefinition) {
  return getShortestPaths(machineFor(def), {
    events: (snapshot) =>
      def.states[snapshot.value as string].events.map((e): CaseEvent => ({
        type: e.type,
        facts: passingFacts(def, e),
      })),
    serializeState: (snapshot) => JSON.stringify(snapshot.value),
  });
}

describe.each(WORKFLOWS.map((def) => [def.id, def] as const))('workflow %s', (_id, def) => {
  const paths = shortestPaths(def);

  it('has a path to every state', () => {
    expect(paths.map((p) => p.state.value as string).sort()).toEqual(Object.keys(def.states).sort());
  });

  it('opens every case in the initial state, in progress', () => {
    const opened = start(def);
    expect(opened.state).toBe(def.initial);
    expect(opened.status).toBe('in-progress');
    expect(opened.persisted).toMatchObject({ value: def.initial, status: 'active' });
  });

  it.each(paths.map((p) => [p.state.value as string, p] as const))(
    'reaches %s through the engine',
    (target, path) => {
      let persisted = roundTrip(start(def).persisted);
      for (const { event } of path.steps.filter((s) => s.event.type !== 'xstate.init')) {
        const result: StepResult = step(def, persisted, event as CaseEvent);
        expect({ event: event.type, outcome: result.outcome, blockedBy: result.blockedBy }).toEqual({
          event: event.type,
          outcome: 'moved',
          blockedBy: [],
        });
        persisted = roundTrip(result.persisted);
      }
      expect(persisted.value).toBe(target);
      expect(statusOf(def, persisted)).toBe(def.states[target].status);
      expect(persisted.status).toBe(def.states[target].final ? 'done' : 'active');
    },
  );

  it('refuses every guarded event without evidence or signatures, saying why', () => {
    for (const path of paths) {
      const here = path.state.value as string;
      const persisted = roundTrip(
        path.state.machine.getPersistedSnapshot(path.state) as unknown as PersistedSnapshot,
      );
      for (const event of def.states[here].events.filter((e) => e.guard)) {
        const result = step(def, persisted, { type: event.type, facts: bareFacts(event) });
        expect({ event: `${here}.${event.type}`, outcome: result.outcome, changed: result.changed }).toEqual({
          event: `${here}.${event.type}`,
          outcome: 'blocked',
          changed: false,
        });
        expect(result.persisted).toEqual(persisted);
        expect(result.blockedBy.length).toBeGreaterThan(0);
        for (const reason of result.blockedBy) expect(reason).toMatch(/^[a-z].*[a-z0-9')]$/);
      }
    }
  });

  it('refuses every event to a sender without a listed role', () => {
    for (const path of paths) {
      const here = path.state.value as string;
      const persisted = roundTrip(
        path.state.machine.getPersistedSnapshot(path.state) as unknown as PersistedSnapshot,
      );
      for (const event of def.states[here].events) {
        const facts = { ...passingFacts(def, event), roles: ['auditor' as const] };
        const result = step(def, persisted, { type: event.type, facts });
        expect(result.outcome).toBe('forbidden');
        expect(result.blockedBy).toEqual([`needs role ${event.roles.join(' or ')}; you have auditor`]);
      }
    }
  });

  it('loads in stock XState from its JSON config, without our guards', () => {
    const machine = createMachine(
      JSON.parse(JSON.stringify(def.config)) as Parameters<typeof createMachine>[0],
    );
    const [snapshot] = initialTransition(machine);
    expect(snapshot.value).toBe(def.initial);
  });
});

describe('the engine on eu-module-a', () => {
  const def = workflow('eu-module-a');

  function walkTo(target: string): PersistedSnapshot {
    const path = shortestPaths(def).find((p) => p.state.value === target);
    if (!path) throw new Error(`no path to ${target}`);
    return path.state.machine.getPersistedSnapshot(path.state) as unknown as PersistedSnapshot;
  }

  const legalWithEverything = (event: WorkflowEvent): GuardFacts => ({
    ...passingFacts(def, event),
    roles: ['legal'],
  });

  it('lists the events of the state with who may send them and what they need', () => {
    const at = walkTo('declaration');
    const sign = eventOf(def, 'declaration', 'SIGN_DECLARATION');
    const facts = { ...legalWithEverything(sign), signature: undefined };
    expect(availableEvents(def, at, facts)).toEqual([
      {
        type: 'SIGN_DECLARATION',
        target: 'marking',
        description: 'Legal signs the declaration of conformity.',
        allowed: true,
        blockedBy: [],
        roles: ['legal'],
        signature: 'declaration of conformity',
      },
      {
        type: 'REOPEN_TECHNICAL_FILE',
        target: 'technical_file_compilation',
        description: expect.stringContaining('approved technical file no longer holds'),
        allowed: true,
        blockedBy: [],
        roles: ['legal'],
      },
    ]);
  });

  it('explains a blocked event: role, missing evidence, stale earlier signature', () => {
    const at = walkTo('declaration');
    const facts: GuardFacts = {
      roles: ['customiser'],
      evidence: { 'declaration-of-conformity': { satisfied: false, satisfiedBy: [], gap: 'pending-review' } },
      required: { declaration: ['declaration-of-conformity'] },
      signatures: {
        'technical file approved': {
          current: false,
          staleBecause: 'emc-test-report it covered was superseded',
        },
      },
    };
    const [sign] = availableEvents(def, at, facts);
    expect(sign.allowed).toBe(false);
    expect(sign.blockedBy).toEqual([
      'needs role legal; you have customiser',
      'declaration-of-conformity: an item is pending review',
      "the signature 'technical file approved' is stale (emc-test-report it covered was superseded); it must be signed again",
    ]);
  });

  it('steps with a signature and reports its meaning for the service to record', () => {
    const at = walkTo('declaration');
    const sign = eventOf(def, 'declaration', 'SIGN_DECLARATION');
    const result = step(def, at, { type: 'SIGN_DECLARATION', facts: legalWithEverything(sign) });
    expect(result).toMatchObject({
      outcome: 'moved',
      changed: true,
      state: 'marking',
      status: 'in-progress',
      signature: 'declaration of conformity',
    });
  });

  it('blocks a signing event sent without its signature', () => {
    const at = walkTo('declaration');
    const sign = eventOf(def, 'declaration', 'SIGN_DECLARATION');
    const result = step(def, at, {
      type: 'SIGN_DECLARATION',
      facts: { ...legalWithEverything(sign), signature: undefined },
    });
    expect(result.outcome).toBe('blocked');
    expect(result.blockedBy).toEqual(["needs a signature with meaning 'declaration of conformity'"]);
    expect(result.state).toBe('declaration');
  });

  it('blocks placing on the market while the declaration signature is stale', () => {
    const at = walkTo('ready_for_market');
    const place = eventOf(def, 'ready_for_market', 'PLACE_ON_MARKET');
    const facts = {
      ...legalWithEverything(place),
      signatures: {
        'declaration of conformity': { current: false, staleBecause: 'the risk assessment was rejected' },
      },
    };
    expect(step(def, at, { type: 'PLACE_ON_MARKET', facts })).toMatchObject({
      outcome: 'blocked',
      blockedBy: [
        "the signature 'declaration of conformity' is stale (the risk assessment was rejected); it must be signed again",
      ],
    });
    const placed = step(def, at, { type: 'PLACE_ON_MARKET', facts: legalWithEverything(place) });
    expect(placed).toMatchObject({ outcome: 'moved', state: 'placed_on_market', status: 'placed-on-market' });
  });

  it('lets an admin send any event', () => {
    const at = walkTo('technical_file_compilation');
    const approve = eventOf(def, 'technical_file_compilation', 'APPROVE_TECHNICAL_FILE');
    const result = step(def, at, {
      type: 'APPROVE_TECHNICAL_FILE',
      facts: { ...passingFacts(def, approve), roles: ['admin'] },
    });
    expect(result.outcome).toBe('moved');
  });

  it('refuses an event the state does not accept, naming the ones it does', () => {
    const at = start(def).persisted;
    const result = step(def, at, {
      type: 'SIGN_DECLARATION',
      facts: legalWithEverything(eventOf(def, 'declaration', 'SIGN_DECLARATION')),
    });
    expect(result).toMatchObject({
      outcome: 'not-available',
      changed: false,
      state: 'scoping',
      blockedBy: ["SIGN_DECLARATION is not possible in state 'scoping' (possible: COMPLETE_SCOPING)"],
    });
  });

  it('refuses every event once the case is closed', () => {
    const at = walkTo('archived');
    expect(statusOf(def, at)).toBe('closed');
    expect(availableEvents(def, at, legalWithEverything(eventOf(def, 'retention', 'ARCHIVE')))).toEqual([]);
    expect(
      step(def, at, { type: 'ARCHIVE', facts: legalWithEverything(eventOf(def, 'retention', 'ARCHIVE')) }),
    ).toMatchObject({
      outcome: 'not-available',
      blockedBy: ["ARCHIVE is not possible in state 'archived' (the case is closed)"],
    });
  });

  it('goes back when tests fail and forward again after rework', () => {
    let at = walkTo('verification_testing');
    const failed = step(def, at, {
      type: 'TESTS_FAILED',
      facts: bareFacts(eventOf(def, 'verification_testing', 'TESTS_FAILED')),
    });
    expect(failed.state).toBe('design_rework');
    at = failed.persisted;
    const reworked = step(def, at, {
      type: 'COMPLETE_REWORK',
      facts: bareFacts(eventOf(def, 'design_rework', 'COMPLETE_REWORK')),
    });
    expect(reworked.state).toBe('risk_assessment');
  });

  it('re-assesses a change reported after placing on the market', () => {
    let at = walkTo('placed_on_market');
    at = step(def, at, {
      type: 'REPORT_CHANGE',
      facts: bareFacts(eventOf(def, 'placed_on_market', 'REPORT_CHANGE')),
    }).persisted;
    expect(at.value).toBe('change_assessment');
    const reassess = step(def, at, {
      type: 'REQUIRE_REASSESSMENT',
      facts: bareFacts(eventOf(def, 'change_assessment', 'REQUIRE_REASSESSMENT')),
    });
    expect(reassess).toMatchObject({ outcome: 'moved', state: 'scoping', status: 'in-progress' });
  });

  it('rejects a persisted snapshot in a state the workflow does not have', () => {
    expect(() => statusOf(def, { status: 'active', value: 'limbo' })).toThrow(/has no state "limbo"/);
    expect(() =>
      step(
        def,
        { status: 'active', value: 'limbo' },
        { type: 'ARCHIVE', facts: bareFacts(eventOf(def, 'retention', 'ARCHIVE')) },
      ),
    ).toThrow(/has no state/);
  });
});

describe('third-party decisions', () => {
  it('rework after a refused type-examination certificate, or appeal', () => {
    const def = workflow('eu-type-examination');
    const refused = def.states.certificate_refused.events.map((e) => [e.type, e.target]);
    expect(refused).toEqual([
      ['APPEAL', 'type_examination'],
      ['START_REWORK', 'design_rework'],
      ['ABANDON', 'abandoned'],
    ]);
  });

  it('need the certificate itself to record it as issued', () => {
    const def = workflow('eu-type-examination');
    const issued = eventOf(def, 'type_examination', 'CERTIFICATE_ISSUED');
    const facts = { ...passingFacts(def, issued), evidence: {} };
    const path = shortestPaths(def).find((p) => p.state.value === 'type_examination');
    if (!path) throw new Error('no path');
    const at = path.state.machine.getPersistedSnapshot(path.state) as unknown as PersistedSnapshot;
    expect(step(def, at, { type: 'CERTIFICATE_ISSUED', facts }).blockedBy).toEqual([
      'required-for-notified-body: nothing uploaded yet',
    ]);
  });

  it("take the certificate kind from the case's route, and only one accepted while waiting for the decision", () => {
    const def = workflow('eu-type-examination');
    const issued = eventOf(def, 'type_examination', 'CERTIFICATE_ISSUED');
    const path = shortestPaths(def).find((p) => p.state.value === 'type_examination');
    if (!path) throw new Error('no path');
    const at = path.state.machine.getPersistedSnapshot(path.state) as unknown as PersistedSnapshot;
    const older = {
      ...passingFacts(def, issued),
      evidence: {
        'required-for-notified-body': { ...ACCEPTED, latestAcceptedAt: '2021-06-01T10:00:00.000Z' },
      },
    };
    expect(step(def, at, { type: 'CERTIFICATE_ISSUED', facts: older }).blockedBy).toEqual([
      'required-for-notified-body: no item accepted since this step began at 2026-11-01T10:00:00.000Z (the newest was accepted at 2021-06-01T10:00:00.000Z); upload the new decision and accept it',
    ]);
    expect(issued.guard).toEqual({
      type: 'requiredEvidenceAcceptedSince',
      params: { steps: ['notified-body'] },
    });
  });

  it.each([
    ['eu-type-examination', 'certificate_review'],
    ['eu-md-annex-ix', 'certificate_review'],
    ['gb-smsr-annex-ix', 'certificate_review'],
    ['gb-type-examination', 'certificate_review'],
    ['eu-unit-verification', 'unit_verification'],
    ['us-nrtl-listing', 're_evaluation'],
    ['us-fcc-certification', 'permissive_change'],
    ['us-fcc-modular-host', 'permissive_change'],
    ['us-nrtl-field-evaluation', 'field_evaluation'],
  ])('%s: %s needs a decision accepted after the case entered it', (id, state) => {
    const event = eventOf(workflow(id), state, 'CERTIFICATE_ISSUED');
    expect(event.stepsSince.length > 0 || sinceKinds(event)).toBe(true);
  });

  it('every third-party decision in every workflow needs evidence accepted after the case entered the state', () => {
    for (const def of WORKFLOWS) {
      for (const state of Object.values(def.states)) {
        const issued = state.events.find((e) => e.type === 'CERTIFICATE_ISSUED');
        if (!issued) continue;
        expect({
          workflow: def.id,
          state: state.name,
          since: issued.stepsSince.length > 0 || sinceKinds(issued),
        }).toEqual({
          workflow: def.id,
          state: state.name,
          since: true,
        });
      }
    }
  });

  it('a withdrawn NRTL listing suspends marking', () => {
    const def = workflow('us-nrtl-listing');
    expect(eventOf(def, 'placed_on_market', 'CERTIFICATE_WITHDRAWN').target).toBe('market_suspended');
    expect(def.states.market_suspended.status).toBe('suspended');
  });
});
