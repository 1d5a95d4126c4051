import {
  createMachine,
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import type { CaseStatus, WorkflowDefinition, WorkflowEvent, WorkflowState } from '../content/workflows.js';
import type { CaseEvent, GuardFacts } from './guard-facts.js';
import { explainGuard, explainRoles, XSTATE_GUARDS } from './guards.js';

/*
 * The pure workflow engine the case service calls. It works from a workflow definition alone
 * (a case pins the definition it started with), keeps no state of its own beyond a cache of
 * machines, and never does I/O: the service loads the persisted snapshot and the facts, calls
 * `step`, and stores what comes back together with the audit record.
 *
 * The machine is stock XState: `createMachine(definition.config)` with the guards from guards.ts,
 * stepped with the pure `transition()`. Roles are not part of the machine (design: state meta says
 * who may send what), so `step` checks them first; that keeps "forbidden" (403) apart from
 * "blocked by a guard" (422).
 */

/** XState's persisted snapshot of a case machine: plain JSON, store it as it is. */
export interface PersistedSnapshot {
  readonly status: string;
  readonly value: string;
  readonly [key: string]: unknown;
}

export interface CaseView {
  persisted: PersistedSnapshot;
  state: string;
  status: CaseStatus;
}

export type StepOutcome =
  /** The event was taken (`changed` says whether the state changed). */
  | 'moved'
  /** The current state does not accept the event. */
  | 'not-available'
  /** The sender's roles may not send the event (HTTP 403). */
  | 'forbidden'
  /** A guard blocks: evidence missing, a signature missing or stale (HTTP 422). */
  | 'blocked';

export interface StepResult extends CaseView {
  outcome: StepOutcome;
  changed: boolean;
  /** Plain-words reasons, when the outcome is not `moved`. */
  blockedBy: string[];
  /** When moved by an event that needs a signature: its meaning (the service records the signature). */
  signature?: string;
}

export interface AvailableEvent {
  type: string;
  target: string;
  description?: string;
  /** True when the caller can send it now (with `signature`, if one is named). */
  allowed: boolean;
  /** Why not, in plain words: role needed, evidence missing, earlier signature missing or stale. */
  blockedBy: string[];
  roles: string[];
  /** The event must carry a signature with this meaning. */
  signature?: string;
}

const machines = new WeakMap<WorkflowDefinition, AnyStateMachine>();

/** The XState machine of a definition, with the guard implementations (cached per definition). */
export function machineFor(definition: WorkflowDefinition): AnyStateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    // The config was validated at load; XState's config type cannot be inferred from JSON data.
    const config = definition.config as unknown as Parameters<typeof createMachine>[0];
    machine = createMachine(config).provide({ guards: XSTATE_GUARDS });
    machines.set(definition, machine);
  }
  return machine;
}

function stateOf(definition: WorkflowDefinition, name: unknown): WorkflowState {
  const state = typeof name === 'string' ? definition.states[name] : undefined;
  if (!state) {
    throw new Error(`workflow ${definition.id} v${definition.version} has no state ${JSON.stringify(name)}`);
  }
  return state;
}

function view(definition: WorkflowDefinition, snapshot: AnyMachineSnapshot): CaseView {
  const machine = machineFor(definition);
  const persisted = machine.getPersistedSnapshot(snapshot) as unknown as PersistedSnapshot;
  const state = stateOf(definition, persisted.value);
  return { persisted, state: state.name, status: state.status };
}

/** The machine snapshot a persisted one stands for (our machines have no context). */
function restore(definition: WorkflowDefinition, persisted: PersistedSnapshot): AnyMachineSnapshot {
  const state = stateOf(definition, persisted?.value);
  return machineFor(definition).resolveState({ value: state.name, context: {} });
}

/** A new case: the initial state. */
export function start(definition: WorkflowDefinition): CaseView {
  const [snapshot] = initialTransition(machineFor(definition));
  return view(definition, snapshot);
}

export function currentState(definition: WorkflowDefinition, persisted: PersistedSnapshot): WorkflowState {
  return stateOf(definition, persisted?.value);
}

export function statusOf(definition: WorkflowDefinition, persisted: PersistedSnapshot): CaseStatus {
  return currentState(definition, persisted).status;
}

/** Reasons the event is blocked with these facts, split by kind (roles first). */
function evaluate(event: WorkflowEvent, facts: GuardFacts): { roles: string[]; guard: string[] } {
  return {
    roles: explainRoles(event.roles, facts.roles),
    guard: event.guard ? explainGuard(event.guard, facts) : [],
  };
}

/**
 * Every event the current state accepts, with whether the caller (facts.roles) may send it now.
 * An event that needs a signature is judged as if it carried one (the caller adds it when
 * sending; `signature` names the meaning), so `blockedBy` lists only what the caller must still
 * fix: roles, evidence, earlier signatures that are missing or stale.
 */
export function availableEvents(
  definition: WorkflowDefinition,
  persisted: PersistedSnapshot,
  facts: GuardFacts,
): AvailableEvent[] {
  return currentState(definition, persisted).events.map((event) => {
    const signed: GuardFacts = {
      ...facts,
      signature: event.signature ? { meaning: event.signature } : undefined,
    };
    const reasons = evaluate(event, signed);
    const blockedBy = [...reasons.roles, ...reasons.guard];
    return {
      type: event.type,
      target: event.target,
      ...(event.description !== undefined ? { description: event.description } : {}),
      allowed: blockedBy.length === 0,
      blockedBy,
      roles: [...event.roles],
      ...(event.signature !== undefined ? { signature: event.signature } : {}),
    };
  });
}

/**
 * Sends one event. The facts travel inside the event (guard-facts.ts); the result is the next
 * persisted snapshot, or the unchanged one with the reasons the event was refused.
 */
export function step(
  definition: WorkflowDefinition,
  persisted: PersistedSnapshot,
  event: CaseEvent,
): StepResult {
  const snapshot = restore(definition, persisted);
  const here = stateOf(definition, snapshot.value);
  const refused = (outcome: StepOutcome, blockedBy: string[]): StepResult => ({
    ...view(definition, snapshot),
    outcome,
    changed: false,
    blockedBy,
  });

  const accepted = here.events.find((e) => e.type === event.type);
  if (!accepted) {
    const possible = here.events.map((e) => e.type);
    return refused('not-available', [
      `${event.type} is not possible in state '${here.name}'` +
        (possible.length > 0 ? ` (possible: ${possible.join(', ')})` : ' (the case is closed)'),
    ]);
  }
  const reasons = evaluate(accepted, event.facts);
  if (reasons.roles.length > 0) return refused('forbidden', reasons.roles);
  if (reasons.guard.length > 0) return refused('blocked', reasons.guard);

  const [next] = transition(machineFor(definition), snapshot, event);
  const moved = view(definition, next);
  if (moved.state !== accepted.target) {
    // Our explanation and XState's decision come from the same guard code; if they ever differ
    // the definition and the engine disagree, which is a bug, not a user error.
    throw new Error(`workflow ${definition.id}: ${event.type} from ${here.name} reached ${moved.state}`);
  }
  return {
    ...moved,
    outcome: 'moved',
    changed: moved.state !== here.name,
    blockedBy: [],
    ...(accepted.signature !== undefined ? { signature: accepted.signature } : {}),
  };
}
