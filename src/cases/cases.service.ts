import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assessRegime, requiredEvidence } from '../applicability/applicability.js';
import type { AuditActor } from '../audit/audit-chain.js';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { auditActor, type Principal } from '../common/principal.js';
import { canonicalJson, sha256Hex } from '../common/canonical.js';
import { nowIso, today } from '../common/time.js';
import { ContentService } from '../content/content.service.js';
import { definitionFromConfig, type WorkflowDefinition } from '../content/workflows.js';
import { Database, isUniqueViolation } from '../database/database.js';
import type { EvidenceEntity } from '../evidence/evidence.entity.js';
import { standing } from '../evidence/evidence-standing.js';
import { EvidenceService, type VariantEvidence } from '../evidence/evidence.service.js';
import { VariantsService, type VisibleVariant } from '../variants/variants.service.js';
import type { CaseEntity, CaseSignatureEntity } from './case.entity.js';
import { CaseRepository } from './case.repository.js';
import type { CaseDto, CaseEventDto, RequirementDto, SignatureDto } from './dto/case.dto.js';
import { EVIDENCE_STEPS, type EvidenceStep, type GuardFacts } from './guard-facts.js';
import {
  signatureFacts,
  signatureHash,
  type CoveredEvidence,
  type CoveredStanding,
  type RecordedSignature,
} from './signatures.js';
import { availableEvents, currentState, start, step, type PersistedSnapshot } from './workflow-engine.js';

type Requirements = Partial<Record<EvidenceStep, string[]>>;

/** What an event request looks like for idempotency: the same key must mean the same request. */
interface EventRequest {
  caseId: string;
  body: CaseEventDto;
  ifMatch?: number;
}

const GAP_WORDS: Record<string, string> = {
  missing: 'nothing uploaded yet',
  'pending-review': 'uploaded, waiting for review by the legal team',
  rejected: 'the uploaded item was rejected',
  expired: 'the uploaded item has expired',
  superseded: 'superseded; the new version is not accepted yet',
};

/** How often an event without If-Match is re-evaluated when another event got in first. */
const MAX_ATTEMPTS = 5;

/**
 * Certification cases: one persisted workflow machine per variant × regime × route. Every state
 * change, its audit record, any signature and the idempotency record commit in one transaction
 * through the single write path; concurrent senders are settled by the case's version column.
 */
@Injectable()
export class CasesService {
  private readonly pinned = new Map<string, WorkflowDefinition>();

  constructor(
    private readonly db: Database,
    private readonly repository: CaseRepository,
    private readonly variants: VariantsService,
    private readonly evidence: EvidenceService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
  ) {
    this.audit.registerStream('case', async (principal, id) => {
      await this.getVisible(principal, id);
    });
  }

  private get params() {
    return this.content.parameterValues;
  }

  async open(principal: Principal, variantId: string, regimeId: string, routeId: string): Promise<CaseDto> {
    const visible = await this.variants.getChangeable(principal, variantId);
    const regime = this.content.content.regimes.get(regimeId);
    if (!regime) {
      throw AppError.validation([
        { field: 'regime', message: `'${regimeId}' is not a regime (see GET /regimes)` },
      ]);
    }
    const assessment = assessRegime(regime, visible.attributes, this.params);
    if (!assessment.applies) {
      throw new AppError('REGIME_NOT_APPLICABLE', `${regimeId} does not apply to variant ${variantId}.`, {
        reasons: assessment.reasons,
      });
    }
    const route = assessment.routes.find((r) => r.id === routeId);
    if (!route) {
      const refused = assessment.routesNotAllowed.find((r) => r.id === routeId);
      throw new AppError(
        'ROUTE_NOT_ALLOWED',
        `Route ${routeId} is not allowed for ${regimeId} and this variant; allowed: ${assessment.routes.map((r) => r.id).join(', ') || 'none'}.`,
        { reasons: refused?.reasons ?? [], allowedRoutes: assessment.routes.map((r) => r.id) },
      );
    }
    const definition = this.content.content.workflows.get(route.workflow);
    if (!definition) throw new Error(`route ${regimeId}/${routeId} names unknown workflow ${route.workflow}`);
    const requirements = requiredEvidence(regime, routeId, visible.attributes, this.params);
    const initial = start(definition);
    const now = nowIso();
    const row: CaseEntity = {
      id: randomUUID(),
      variantId,
      regime: regimeId,
      route: routeId,
      market: regime.market,
      workflowId: definition.id,
      workflowVersion: definition.version,
      workflowHash: definition.hash,
      contentVersion: this.content.content.version,
      requirements: JSON.stringify(requirements),
      snapshot: JSON.stringify(initial.persisted),
      state: initial.state,
      status: initial.status,
      version: 1,
      openedBy: principal.userId,
      openedAt: now,
      updatedAt: now,
    };
    this.pinned.set(definition.hash, definition);
    await this.db.write(async (tx) => {
      // Opening cases of one variant one at a time (also across instances on PostgreSQL) makes
      // the check for a case already running the same regime and route hold until the commit.
      await this.audit.lock(tx, `variant:${variantId}`);
      const running = (await this.repository.list({ variantId }, tx)).find(
        (c) => c.regime === regimeId && c.route === routeId && c.status !== 'closed',
      );
      if (running) {
        throw new AppError(
          'CONFLICT',
          `case ${running.id} already runs ${regimeId} by route ${routeId} for this variant`,
          {
            caseId: running.id,
          },
        );
      }
      await this.repository.pin(tx, {
        hash: definition.hash,
        workflowId: definition.id,
        version: definition.version,
        definition: JSON.stringify({ config: definition.config, file: definition.file }),
      });
      await this.repository.insert(tx, row);
      await this.audit.append(tx, `case:${row.id}`, auditActor(principal), 'case.opened', {
        variantId,
        regime: regimeId,
        route: routeId,
        workflow: { id: definition.id, version: definition.version, hash: definition.hash },
        contentVersion: row.contentVersion,
        state: row.state,
        requirements,
      });
    });
    return this.view(principal, row, visible);
  }

  async get(principal: Principal, id: string): Promise<CaseDto> {
    const { row, visible } = await this.getVisible(principal, id);
    return this.view(principal, row, visible);
  }

  async list(principal: Principal, variantId?: string): Promise<CaseDto[]> {
    const variants = variantId
      ? [await this.variants.getVisible(principal, variantId)]
      : await this.variants.listVisible(principal);
    const byId = new Map(variants.map((v) => [v.variant.id, v]));
    const rows = await this.repository.list(variantId ? { variantId } : { variantIds: [...byId.keys()] });
    const result: CaseDto[] = [];
    for (const row of rows) {
      const visible = byId.get(row.variantId);
      if (visible) result.push(await this.view(principal, row, visible));
    }
    return result;
  }

  /** The case and its variant when the caller may see the variant; 404 otherwise. */
  async getVisible(principal: Principal, id: string): Promise<{ row: CaseEntity; visible: VisibleVariant }> {
    const row = await this.repository.find(id);
    if (!row) throw AppError.notFound('case', id);
    try {
      return { row, visible: await this.variants.getVisible(principal, row.variantId) };
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') throw AppError.notFound('case', id);
      throw error;
    }
  }

  /**
   * Sends one event. With `ifMatch`, the case must still be at that version (409 otherwise);
   * without, the event is re-evaluated if another got in first. With an idempotency key, a
   * replay answers the first response and writes nothing.
   */
  async send(
    principal: Principal,
    caseId: string,
    body: CaseEventDto,
    options: { ifMatch?: number; idempotencyKey?: string } = {},
  ): Promise<CaseDto> {
    const request: EventRequest = { caseId, body, ifMatch: options.ifMatch };
    const requestSha256 = sha256Hex(canonicalJson(request));
    const key = options.idempotencyKey;
    // With a key, a request that lost a race to its own duplicate answers what the duplicate did.
    const replayed = () => (key ? this.replay(principal, key, requestSha256) : Promise.resolve(undefined));
    for (let attempt = 1; ; attempt++) {
      const earlier = await replayed();
      if (earlier) return earlier;
      const { row, visible } = await this.getVisible(principal, caseId);
      await this.variants.getChangeable(principal, row.variantId);
      if (options.ifMatch !== undefined && options.ifMatch !== row.version) throw conflict(row.version);
      const loaded = await this.load(row, visible);
      let decided: Decision;
      try {
        decided = await this.decide(principal, row, loaded, body);
      } catch (error) {
        const earlier = await replayed();
        if (earlier) return earlier;
        throw error;
      }
      const { next, signature, actor } = decided;
      const response = this.render(principal, next, {
        ...loaded,
        signatures: signature ? [...loaded.signatures, signature] : loaded.signatures,
      });
      try {
        await this.db.write(async (tx) => {
          const change = {
            snapshot: next.snapshot,
            state: next.state,
            status: next.status,
            updatedAt: next.updatedAt,
          };
          if (!(await this.repository.updateIfVersion(tx, row.id, row.version, change))) {
            throw new VersionRace();
          }
          // The guards judged the evidence as loaded; if any was reviewed, uploaded or superseded
          // since, judge again (evidence changes always append to these streams).
          const now = await this.audit.lengths(tx, Object.keys(loaded.evidenceStreams), true);
          if (Object.entries(now).some(([stream, length]) => loaded.evidenceStreams[stream] !== length)) {
            throw new EvidenceRace();
          }
          if (signature) await this.repository.insertSignature(tx, signature);
          await this.audit.append(tx, `case:${row.id}`, actor, 'case.event', {
            type: body.type,
            from: row.state,
            to: next.state,
            version: next.version,
            comment: body.comment ?? null,
            ...(signature
              ? { signature: { id: signature.id, meaning: signature.meaning, sha256: signature.sha256 } }
              : {}),
          });
          if (key) {
            await this.repository.insertIdempotencyKey(tx, {
              userId: principal.userId,
              key,
              requestSha256,
              responseStatus: 200,
              responseBody: JSON.stringify(response),
              createdAt: next.updatedAt,
            });
          }
        });
        return response;
      } catch (error) {
        if (error instanceof EvidenceRace && attempt < MAX_ATTEMPTS) continue;
        if (key && (isUniqueViolation(error) || error instanceof VersionRace)) {
          const earlier = await replayed();
          if (earlier) return earlier;
        }
        if (!(error instanceof VersionRace) && !(error instanceof EvidenceRace)) throw error;
        if (options.ifMatch !== undefined || attempt >= MAX_ATTEMPTS) {
          const current = await this.repository.find(caseId);
          throw conflict(current?.version ?? row.version + 1);
        }
      }
    }
  }

  /**
   * Steps the case's machine with the event and the facts as loaded: the case's next row and the
   * signature the event gives, or the refusal (403 wrong role, 422 blocked or not possible now).
   */
  private async decide(
    principal: Principal,
    row: CaseEntity,
    loaded: Loaded,
    body: CaseEventDto,
  ): Promise<Decision> {
    const definition = await this.definition(row);
    const { facts } = this.facts(principal, row, loaded);
    const persisted = JSON.parse(row.snapshot) as PersistedSnapshot;
    const result = step(definition, persisted, {
      type: body.type,
      facts: { ...facts, signature: body.signature ? { meaning: body.signature.meaning } : undefined },
    });
    switch (result.outcome) {
      case 'not-available':
        throw new AppError('EVENT_BLOCKED', result.blockedBy.join('; '), { blockedBy: result.blockedBy });
      case 'forbidden':
        throw new AppError('FORBIDDEN_ROLE', result.blockedBy.join('; '), { blockedBy: result.blockedBy });
      case 'blocked':
        throw new AppError('EVENT_BLOCKED', `${body.type} is blocked: ${result.blockedBy.join('; ')}`, {
          blockedBy: result.blockedBy,
        });
      case 'moved':
        break;
    }
    if (body.signature && !result.signature) {
      throw AppError.validation([{ field: 'signature', message: `${body.type} does not take a signature` }]);
    }
    const now = nowIso();
    const next: CaseEntity = {
      ...row,
      snapshot: JSON.stringify(result.persisted),
      state: result.state,
      status: result.status,
      version: row.version + 1,
      updatedAt: now,
    };
    // A user with several roles acts in the one the workflow names for this event (a customiser
    // who is also legal signs as legal); admins act as admin.
    const allowed: string[] =
      currentState(definition, persisted).events.find((e) => e.type === body.type)?.roles ?? [];
    const role = principal.roles.find((r) => allowed.includes(r)) ?? 'admin';
    const actor: AuditActor = { ...auditActor(principal), role };
    const signature = result.signature
      ? this.newSignature(
          principal,
          role,
          row,
          result.signature,
          body.type,
          now,
          coveredEvidence(row, loaded.evidence),
        )
      : undefined;
    return { next, signature, actor };
  }

  private async replay(
    principal: Principal,
    key: string,
    requestSha256: string,
  ): Promise<CaseDto | undefined> {
    const stored = await this.repository.findIdempotencyKey(principal.userId, key);
    if (!stored) return undefined;
    if (stored.requestSha256 !== requestSha256) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key '${key}' was used for a different request.`,
      );
    }
    return JSON.parse(stored.responseBody) as CaseDto;
  }

  private newSignature(
    principal: Principal,
    role: string,
    row: CaseEntity,
    meaning: string,
    event: string,
    at: string,
    covered: CoveredEvidence[],
  ): CaseSignatureEntity {
    return {
      id: randomUUID(),
      caseId: row.id,
      meaning,
      event,
      signerId: principal.userId,
      signerName: principal.name,
      signerRole: role,
      signedAt: at,
      sha256: signatureHash({
        caseId: row.id,
        version: row.version,
        snapshot: JSON.parse(row.snapshot),
        meaning,
        covered,
      }),
      covered: JSON.stringify(covered),
    };
  }

  /**
   * A workflow as shipped now, or, with `hash`, the version a case pinned (served so a client
   * shows a running case the procedure it actually follows). 404 when there is no such version.
   */
  async workflowDefinition(id: string, hash?: string): Promise<WorkflowDefinition> {
    const current = this.content.content.workflows.get(id);
    if (current && (hash === undefined || current.hash === hash)) return current;
    if (hash !== undefined) {
      const cached = this.pinned.get(hash);
      if (cached?.id === id) return cached;
      const stored = await this.repository.findPinned(hash);
      if (stored && stored.workflowId === id) {
        const { config, file } = JSON.parse(stored.definition) as { config: unknown; file: string };
        const definition = definitionFromConfig(config, { file, hash });
        this.pinned.set(hash, definition);
        return definition;
      }
    }
    throw AppError.notFound('workflow', hash ? `${id} version ${hash}` : id);
  }

  /** The workflow definition the case pinned (rebuilt from the stored config once per hash). */
  private async definition(row: CaseEntity, em?: EntityManager): Promise<WorkflowDefinition> {
    const cached = this.pinned.get(row.workflowHash);
    if (cached) return cached;
    const current = this.content.content.workflows.get(row.workflowId);
    let definition: WorkflowDefinition;
    if (current && current.hash === row.workflowHash) {
      definition = current;
    } else {
      const stored = await this.repository.findPinned(row.workflowHash, em);
      if (!stored) throw new Error(`case ${row.id}: pinned workflow ${row.workflowHash} is missing`);
      const { config, file } = JSON.parse(stored.definition) as { config: unknown; file: string };
      definition = definitionFromConfig(config, { file, hash: row.workflowHash });
    }
    this.pinned.set(row.workflowHash, definition);
    return definition;
  }

  /** Ids of the variant's cases in a market, oldest first. */
  async caseIdsForDossier(variantId: string, market: string, em: EntityManager): Promise<string[]> {
    return (await this.repository.list({ variantId }, em))
      .filter((r) => r.market === market)
      .map((r) => r.id);
  }

  /**
   * Every case of the variant in a market as the API shows it, with evidence validity judged on
   * `day`, read through `em` (the dossier reads everything in one snapshot).
   */
  async casesForDossier(
    principal: Principal,
    visible: VisibleVariant,
    market: string,
    day: string,
    em: EntityManager,
  ): Promise<{ row: CaseEntity; view: CaseDto; definition: WorkflowDefinition }[]> {
    const rows = (await this.repository.list({ variantId: visible.variant.id }, em)).filter(
      (r) => r.market === market,
    );
    const result = [];
    for (const row of rows) {
      const definition = await this.definition(row, em);
      result.push({
        row,
        definition,
        view: this.render(principal, row, await this.load(row, visible, day, em)),
      });
    }
    return result;
  }

  /**
   * How long evidence of each kind stays valid under the case's regime: the period the regime
   * gives the kind (e.g. the Directive's five-year review of an EC type-examination certificate,
   * or a period named by a parameter), else the kind's own.
   */
  private validityFor(regimeId: string): (kind: string) => number | undefined {
    const rules = this.content.content.regimes.get(regimeId)?.validity ?? [];
    const params = this.content.parameterValues;
    return (kind) => {
      const rule = rules.find((r) => r.kind === kind);
      if (!rule) return this.evidence.validityDays(kind);
      const years = rule.parameter !== undefined ? Number(params[rule.parameter]) : rule.years;
      return Number.isFinite(years) ? Math.round(years * 365.25) : this.evidence.validityDays(kind);
    };
  }

  /** The variant's evidence and the case's signatures: what the guards and the view read. */
  private async load(
    row: CaseEntity,
    visible: VisibleVariant,
    day = today(),
    em?: EntityManager,
  ): Promise<Loaded> {
    const validity = this.validityFor(row.regime);
    // Read before the evidence: a change in between then shows as a changed length at commit.
    const evidenceStreams = await this.audit.lengths(em, [
      `variant:${visible.variant.id}`,
      `product:${visible.product.id}`,
    ]);
    const [evidence, signatures] = await Promise.all([
      this.evidence.forVariant(visible, day, em, validity),
      this.repository.signatures(row.id, em),
    ]);
    return { evidence, signatures, day, validity, evidenceStreams };
  }

  /** The facts the guards read, for this caller, from loaded data. */
  private facts(
    principal: Principal,
    row: CaseEntity,
    loaded: Loaded,
  ): { facts: GuardFacts; staleness: CoveredStanding } {
    const items = indexEvidence(loaded.evidence);
    const staleness: CoveredStanding = (id) => {
      const item = items.get(id);
      if (!item) return undefined;
      const now = item.inherited
        ? 'current'
        : standing(item.entity, loaded.day, loaded.validity(item.entity.kind));
      return { standing: now, label: `${item.entity.kind} “${item.entity.originalName}”` };
    };
    const facts: GuardFacts = {
      roles: principal.roles,
      evidence: loaded.evidence.facts,
      required: JSON.parse(row.requirements) as Requirements,
      signatures: signatureFacts(loaded.signatures.map(recorded), staleness),
      // Every event moves the case, so its last update is when it entered its current state.
      stateEnteredAt: row.updatedAt,
    };
    return { facts, staleness };
  }

  private async view(principal: Principal, row: CaseEntity, visible: VisibleVariant): Promise<CaseDto> {
    await this.definition(row);
    return this.render(principal, row, await this.load(row, visible));
  }

  /** The case as the API shows it, computed from already loaded data. */
  private render(principal: Principal, row: CaseEntity, loaded: Loaded): CaseDto {
    const definition = this.pinned.get(row.workflowHash);
    if (!definition) throw new Error(`case ${row.id}: workflow not loaded`);
    const persisted = JSON.parse(row.snapshot) as PersistedSnapshot;
    const { facts, staleness } = this.facts(principal, row, loaded);
    const state = currentState(definition, persisted);
    return {
      id: row.id,
      variantId: row.variantId,
      regime: row.regime,
      market: row.market,
      route: row.route,
      workflow: {
        id: definition.id,
        version: definition.version,
        hash: definition.hash,
        title: definition.title,
      },
      state: state.name,
      stateDescription: state.description,
      status: row.status,
      version: row.version,
      contentVersion: row.contentVersion,
      openedBy: row.openedBy,
      openedAt: row.openedAt,
      updatedAt: row.updatedAt,
      allowedEvents: availableEvents(definition, persisted, facts),
      requirements: this.requirements(facts.required, loaded.evidence),
      signatures: signatureDtos(loaded.signatures, staleness),
    };
  }

  private requirements(required: Requirements, evidence: VariantEvidence): RequirementDto[] {
    const items = indexEvidence(evidence);
    const kinds = this.content.content.evidenceKinds;
    const rows: RequirementDto[] = [];
    for (const step of EVIDENCE_STEPS) {
      for (const kind of required[step] ?? []) {
        const fact = evidence.facts[kind];
        const satisfiedBy = (fact?.satisfiedBy ?? []).flatMap((id) => {
          const item = items.get(id);
          return item
            ? [
                {
                  id,
                  originalName: item.entity.originalName,
                  sha256: item.entity.sha256,
                  source: item.inherited ? ('inherited' as const) : ('own' as const),
                },
              ]
            : [];
        });
        const satisfied = fact?.satisfied ?? false;
        const gap = satisfied ? null : (fact?.gap ?? 'missing');
        rows.push({
          kind,
          title: kinds.get(kind)?.title ?? kind,
          step,
          satisfied,
          satisfiedBy,
          gap,
          missing: gap ? `${kinds.get(kind)?.title ?? kind}: ${GAP_WORDS[gap] ?? gap}` : null,
        });
      }
    }
    return rows;
  }
}

/** Another event moved the case first. */
class VersionRace extends Error {}

/** Evidence of the variant or its product changed between judging and committing. */
class EvidenceRace extends Error {}

/** What an event does to a case, decided from the facts as loaded. */
interface Decision {
  next: CaseEntity;
  signature?: CaseSignatureEntity;
  actor: AuditActor;
}

interface Loaded {
  evidence: VariantEvidence;
  signatures: CaseSignatureEntity[];
  /** The day (YYYY-MM-DD) evidence validity is judged on. */
  day: string;
  /** Validity periods under the case's regime, in days, per evidence kind. */
  validity: (kind: string) => number | undefined;
  /** Lengths of the variant's and product's audit streams when the evidence was read. */
  evidenceStreams: Record<string, number>;
}

function conflict(current: number): AppError {
  return new AppError(
    'CASE_VERSION_CONFLICT',
    `The case is at version ${current}; reload it and decide again.`,
    { currentVersion: current },
    { ETag: `"${current}"` },
  );
}

interface IndexedEvidence {
  entity: EvidenceEntity;
  inherited: boolean;
}

function indexEvidence(evidence: VariantEvidence): Map<string, IndexedEvidence> {
  const map = new Map<string, IndexedEvidence>();
  for (const e of evidence.own) map.set(e.id, { entity: e, inherited: false });
  for (const e of evidence.inherited) map.set(e.id, { entity: e, inherited: true });
  return map;
}

/** The evidence a signature covers: every item satisfying the case's requirements right now. */
function coveredEvidence(row: CaseEntity, evidence: VariantEvidence): CoveredEvidence[] {
  const required = JSON.parse(row.requirements) as Requirements;
  const items = indexEvidence(evidence);
  const covered: CoveredEvidence[] = [];
  for (const kinds of Object.values(required)) {
    for (const kind of kinds ?? []) {
      for (const id of evidence.facts[kind]?.satisfiedBy ?? []) {
        const item = items.get(id);
        if (item && !covered.some((c) => c.id === id)) covered.push({ id, kind, sha256: item.entity.sha256 });
      }
    }
  }
  return covered;
}

function recorded(s: CaseSignatureEntity): RecordedSignature {
  return { meaning: s.meaning, signedAt: s.signedAt, covered: JSON.parse(s.covered) as CoveredEvidence[] };
}

/**
 * Every signature of the case, each with whether it is current: the latest of its meaning whose
 * covered evidence all still counts. An earlier one of the same meaning was replaced by re-signing.
 */
function signatureDtos(signatures: CaseSignatureEntity[], staleness: CoveredStanding): SignatureDto[] {
  const latest = new Map<string, CaseSignatureEntity>();
  for (const s of signatures) latest.set(s.meaning, s);
  return signatures.map((s) => {
    const own = signatureFacts([recorded(s)], staleness)[s.meaning];
    const replacedBy = latest.get(s.meaning) === s ? undefined : latest.get(s.meaning);
    return {
      id: s.id,
      meaning: s.meaning,
      event: s.event,
      signer: { id: s.signerId, name: s.signerName, role: s.signerRole },
      at: s.signedAt,
      sha256: s.sha256,
      covered: JSON.parse(s.covered) as CoveredEvidence[],
      current: own.current && !replacedBy,
      staleBecause: replacedBy ? `signed again at ${replacedBy.signedAt}` : (own.staleBecause ?? null),
    };
  });
}
