import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assessApplicability, assumedDefaultsNote } from '../applicability/applicability.js';
import { GENESIS_HASH, type AuditRecord } from '../audit/audit-chain.js';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import type { CaseDto } from '../cases/dto/case.dto.js';
import { CasesService } from '../cases/cases.service.js';
import { canonicalJson, sha256Hex } from '../common/canonical.js';
import type { Principal } from '../common/principal.js';
import { attributeChanges } from '../content/attributes.js';
import { ContentService } from '../content/content.service.js';
import type { Market } from '../content/regimes.js';
import type { EvidenceEntity } from '../evidence/evidence.entity.js';
import { lastValidDay, standing } from '../evidence/evidence-standing.js';
import { EvidenceService } from '../evidence/evidence.service.js';
import { declaredAttributes, type VisibleVariant } from '../variants/variants.service.js';
import {
  declaredActs,
  type AuditStreamEntry,
  type CaseEntry,
  type DeclarationDraft,
  type DossierModel,
  type EvidenceEntry,
  type IncorporationDraft,
  type LegislationEntry,
  type RequirementRow,
} from './dossier-model.js';

/** The manifest without `pdfSha256` (which only exists once the PDF does). */
export type ContentManifest = Record<string, unknown>;

export interface BuiltDossier {
  id: string;
  model: DossierModel;
  manifest: ContentManifest;
}

const DECLARATION_TITLES: Record<Market, string> = {
  EU: 'EU declaration of conformity',
  GB: 'UK declaration of conformity',
  US: "Supplier's declaration of conformity and compliance information",
};

/**
 * The machinery acts (design §3.2), under which partly completed machinery takes a declaration of
 * incorporation (reference §2.2, §8, §14.2).
 */
const INCORPORATION: Record<string, Omit<IncorporationDraft, 'act'>> = {
  // Directive 2006/42/EC Art. 13(1)(c), Annex II 1.B.
  'eu-md': {
    title: 'Declaration of incorporation of partly completed machinery',
    documentation: 'Annex VII Part B of Directive 2006/42/EC',
    authorisedPerson: true,
  },
  // Regulation (EU) 2023/1230 Art. 11, 22, Annex V Part B (titled as the Regulation's workflow does).
  'eu-mr': {
    title: 'EU declaration of incorporation of partly completed machinery',
    documentation: 'Annex IV Part B of Regulation (EU) 2023/1230',
    authorisedPerson: false,
  },
  // Supply of Machinery (Safety) Regulations 2008, Sch. 2 Part 2 Annex II 1.B.
  'gb-smsr': {
    title: 'Declaration of incorporation of partly completed machinery',
    documentation:
      'Annex VII Part B of Schedule 2 to the Supply of Machinery (Safety) Regulations 2008 (Directive ' +
      '2006/42/EC as it applies in Great Britain)',
    authorisedPerson: true,
  },
};

/** What the declaration calls the third party a route needs, per market. */
const BODY_NAMES: Record<Market, string> = {
  EU: 'notified body',
  GB: 'UK approved body',
  US: 'TCB or NRTL',
};

/**
 * Gathers everything a dossier shows from one consistent snapshot of the database and derives
 * the dossier's id from what it covers, so the same state always yields the same dossier.
 */
@Injectable()
export class DossierBuilder {
  constructor(
    private readonly content: ContentService,
    private readonly cases: CasesService,
    private readonly evidence: EvidenceService,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  async build(
    principal: Principal,
    visible: VisibleVariant,
    market: Market,
    em: EntityManager,
  ): Promise<BuiltDossier> {
    const { variant, product } = visible;
    const caseIds = await this.cases.caseIdsForDossier(variant.id, market, em);
    const streams = [`variant:${variant.id}`, `product:${product.id}`, ...caseIds.map((id) => `case:${id}`)];
    const audit = await Promise.all(streams.map((stream) => this.stream(stream, em)));
    const date = audit
      .flatMap((s) => s.records.map((r) => r.at))
      .reduce((latest, at) => (at > latest ? at : latest), '');
    const day = date.slice(0, 10);
    // Case views depend on the day evidence validity is judged on: compute them as of the dossier date.
    const views = await this.cases.casesForDossier(principal, visible, market, day, em);
    const evidence = await this.evidence.forVariant(visible, day, em);
    const contentVersion = this.content.content.version;
    const id = dossierId({
      variantId: variant.id,
      market,
      contentVersion,
      streams: audit.map((s) => ({ stream: s.stream, length: s.length, head: s.head })),
    });

    const entries = this.evidenceEntries(evidence.own, evidence.inherited, visible, day);
    const organisation = await this.auth.findOrganisation(variant.organisationId);
    const legislation = this.legislation(
      visible,
      market,
      views.map((v) => v.view),
    );
    const auditEntries: AuditStreamEntry[] = audit.map((s) => ({
      stream: s.stream,
      length: s.length,
      head: s.head,
      records: s.records.map((r) => ({
        seq: r.seq,
        at: r.at,
        actor: r.actor.name,
        role: r.actor.role,
        action: r.action,
        hash: r.hash,
      })),
    }));
    const caseEntries: CaseEntry[] = views.map(({ view }) => ({
      id: view.id,
      regime: view.regime,
      route: view.route,
      workflow: { id: view.workflow.id, version: view.workflow.version, hash: view.workflow.hash },
      state: view.state,
      stateDescription: view.stateDescription,
      status: view.status,
      openedAt: view.openedAt,
      history: caseHistory(audit.find((s) => s.stream === `case:${view.id}`)?.records ?? []),
    }));
    const signatures = views.flatMap(({ view }) =>
      view.signatures.map((s) => ({
        caseId: view.id,
        regime: view.regime,
        meaning: s.meaning,
        signer: s.signer,
        at: s.at,
        sha256: s.sha256,
        coveredEvidence: s.covered,
        current: s.current,
        staleBecause: s.staleBecause,
      })),
    );
    const requirements: RequirementRow[] = views.flatMap(({ view }) =>
      view.requirements.map((r) => ({
        caseId: view.id,
        regime: view.regime,
        route: view.route,
        kind: r.kind,
        kindTitle: r.title,
        step: r.step,
        satisfiedBy: r.satisfiedBy.map((e) => e.id),
        gap: r.gap,
      })),
    );
    const manifest: ContentManifest = {
      format: 'certflow-dossier-manifest/1',
      dossier: {
        id,
        market,
        date,
        variant: { id: variant.id, key: variant.key, name: variant.name },
        product: {
          id: product.id,
          key: product.key,
          name: product.name,
          designVersion: product.designVersion,
        },
        organisation: { id: variant.organisationId, name: organisation?.name ?? '' },
      },
      contentVersion,
      workflows: caseEntries.map((c) => ({ caseId: c.id, regime: c.regime, route: c.route, ...c.workflow })),
      auditStreams: auditEntries.map((s) => ({
        stream: s.stream,
        length: s.length,
        head: s.head,
        records: s.records.map((r) => ({ seq: r.seq, hash: r.hash })),
      })),
      evidence: entries.map((e) => ({
        id: e.id,
        kind: e.kind,
        originalName: e.originalName,
        sha256: e.sha256,
        size: e.size,
        source: e.source,
      })),
      signatures: signatures.map((s) => ({
        caseId: s.caseId,
        meaning: s.meaning,
        sha256: s.sha256,
        current: s.current,
      })),
    };
    const model: DossierModel = {
      id,
      date,
      market,
      contentVersion,
      manifestSha256: sha256Hex(canonicalJson(manifest)),
      product: {
        id: product.id,
        key: product.key,
        name: product.name,
        designVersion: product.designVersion,
        sourceUrl: product.sourceUrl,
      },
      variant: {
        id: variant.id,
        key: variant.key,
        name: variant.name,
        organisation: { id: variant.organisationId, name: organisation?.name ?? '' },
      },
      changes: attributeChanges(this.content.attributes, product.attributes, variant.overrides).map((c) => {
        const def = this.content.attributes.get(c.attribute);
        return { ...c, meaning: def?.meaning ?? '', ...(def?.unit ? { unit: def.unit } : {}) };
      }),
      attributes: [...this.content.attributes.values()].map((def) => ({
        name: def.name,
        value: visible.attributes[def.name] ?? null,
        ...(def.unit ? { unit: def.unit } : {}),
      })),
      legislation,
      cases: caseEntries,
      requirements,
      evidence: entries,
      signatures,
      audit: auditEntries,
      declaration: this.declaration(
        market,
        organisation?.name ?? '',
        visible,
        legislation,
        requirements,
        entries,
      ),
    };
    return { id, model, manifest };
  }

  private async stream(
    stream: string,
    em: EntityManager,
  ): Promise<{ stream: string; length: number; head: string; records: AuditRecord[] }> {
    const head = await this.audit.head(stream, em);
    const records = await this.audit.records(stream, head.length, em);
    // Dossier activity at the end of a stream (requests, downloads) is not what a dossier
    // documents: leaving it out keeps asking again, after a download, the same dossier. The
    // covered part is still a verifiable prefix of the chain.
    let length = records.length;
    while (length > 0 && records[length - 1].action.startsWith('dossier.')) length--;
    const covered = records.slice(0, length);
    return { stream, length, head: length > 0 ? covered[length - 1].hash : GENESIS_HASH, records: covered };
  }

  private evidenceEntries(
    own: EvidenceEntity[],
    inherited: EvidenceEntity[],
    visible: VisibleVariant,
    day: string,
  ): EvidenceEntry[] {
    const kinds = this.content.content.evidenceKinds;
    const entry = (e: EvidenceEntity, source: 'own' | 'inherited'): EvidenceEntry => {
      const validity = this.evidence.validityDays(e.kind);
      return {
        id: e.id,
        kind: e.kind,
        kindTitle: kinds.get(e.kind)?.title ?? e.kind,
        originalName: e.originalName,
        sha256: e.sha256,
        size: e.size,
        mediaType: e.mediaType,
        issuer: e.issuer,
        issuedAt: e.issuedAt,
        validUntil: e.validUntil,
        lastValidDay: lastValidDay(e, validity),
        standing: standing(e, day, validity),
        review: { status: e.status, by: e.reviewedBy, at: e.reviewedAt, comment: e.reviewComment },
        source,
        inheritedFrom:
          source === 'inherited'
            ? { productKey: visible.product.key, designVersion: visible.product.designVersion }
            : null,
      };
    };
    return [...own.map((e) => entry(e, 'own')), ...inherited.map((e) => entry(e, 'inherited'))];
  }

  private legislation(visible: VisibleVariant, market: Market, cases: CaseDto[]): LegislationEntry[] {
    const params = this.content.parameterValues;
    const regimes = this.content.content.regimes;
    const declared = declaredAttributes(visible);
    return assessApplicability(regimes.values(), visible.attributes, params, [market]).map((a) => {
      const chosen = cases.filter((c) => c.regime === a.regime).at(-1);
      return {
        regime: a.regime,
        title: a.title,
        legalReference: a.legalReference,
        applies: a.applies,
        reasons: a.reasons.map((r) => ({ text: r.text, citation: r.citation, held: r.held })),
        notes: [...a.notes, assumedDefaultsNote(regimes.get(a.regime)!, declared, this.content.attributes)]
          .filter((n) => n !== undefined)
          .map((n) => ({ text: n.text, citation: n.citation, held: true })),
        routes: a.routes.map((r) => ({ id: r.id, notifiedBody: r.notifiedBody, workflow: r.workflow })),
        notifiedBodyRequired: a.notifiedBodyRequired,
        chosenRoute: chosen?.route ?? null,
        caseId: chosen?.id ?? null,
      };
    });
  }

  private declaration(
    market: Market,
    manufacturer: string,
    visible: VisibleVariant,
    legislation: LegislationEntry[],
    requirements: RequirementRow[],
    evidence: EvidenceEntry[],
  ): DeclarationDraft {
    const declared = declaredActs(legislation);
    // Partly completed machinery is declared for incorporation under the machinery act, and in
    // conformity with the other acts that apply (reference §8, §14.2: no CE marking under the
    // machinery act, CE under EMC, RoHS or RED where they apply).
    const incorporated =
      visible.attributes.kind === 'partly-completed-machinery'
        ? declared.find((a) => INCORPORATION[a.regime] !== undefined)
        : undefined;
    return {
      title: DECLARATION_TITLES[market],
      manufacturer,
      product: `${visible.product.name}, variant ${visible.variant.name} (${visible.variant.key}), design ${visible.product.designVersion}`,
      acts: declared.filter((a) => a !== incorporated),
      incorporation: incorporated ? { ...INCORPORATION[incorporated.regime], act: incorporated } : null,
      bodies: this.bodies(market, legislation, requirements, evidence),
      standards: [],
    };
  }

  /**
   * The bodies the declaration names: for each act whose chosen route needs a notified or approved
   * body, TCB or NRTL, the issuer of each accepted certificate the case's notified-body step
   * relies on, or a line saying one is required and still to be named.
   */
  private bodies(
    market: Market,
    legislation: LegislationEntry[],
    requirements: RequirementRow[],
    evidence: EvidenceEntry[],
  ): string[] {
    const byId = new Map(evidence.map((e) => [e.id, e]));
    const required = (what: string) =>
      `${what}: a ${BODY_NAMES[market]} is required; its name, identification number and certificate are ` +
      'to be completed';
    return legislation.flatMap((l) => {
      if (!l.applies) return [];
      if (!l.chosenRoute || !l.caseId) {
        return l.notifiedBodyRequired ? [required(`${l.title} (every route the law allows)`)] : [];
      }
      const route = this.content.content.regimes.get(l.regime)?.routes.find((r) => r.id === l.chosenRoute);
      if (!route?.notifiedBody) return [];
      const act = `${l.title}, route ${l.chosenRoute}`;
      const certificates = requirements
        .filter((r) => r.caseId === l.caseId && r.step === 'notified-body')
        .flatMap((r) => r.satisfiedBy.flatMap((id) => byId.get(id) ?? []));
      if (certificates.length === 0) return [`${required(act)} (no accepted certificate is in the file yet)`];
      return certificates.map(
        (e) =>
          `${act}: ${e.issuer}, ${e.kindTitle} “${e.originalName}”, issued ${e.issuedAt}; the body's ` +
          'identification number and the certificate number to be completed from the certificate',
      );
    });
  }
}

/** A case's history from its audit stream: opening, then every event with its transition. */
function caseHistory(records: AuditRecord[]): CaseEntry['history'] {
  return records.map((r) => {
    const data = (r.data ?? {}) as Record<string, unknown>;
    const opened = r.action === 'case.opened';
    return {
      seq: r.seq,
      at: r.at,
      actor: r.actor.name,
      role: r.actor.role,
      event: opened ? 'OPENED' : String(data.type ?? r.action),
      from: opened ? null : ((data.from as string | undefined) ?? null),
      to: String(opened ? data.state : data.to),
      comment: (data.comment as string | null | undefined) ?? null,
    };
  });
}

/** File names inside the bundle: evidence/<kind>/<original name>, made unique. */
export function bundleNames(
  entries: { sha256: string; kind: string; originalName: string }[],
): { sha256: string; name: string }[] {
  const used = new Set<string>();
  return entries.map((e) => {
    const safe = e.originalName.replace(/[\\/:*?"<>|]/g, '_');
    let name = `evidence/${e.kind}/${safe}`;
    for (let n = 2; used.has(name); n++) name = `evidence/${e.kind}/${n}-${safe}`;
    used.add(name);
    return { sha256: e.sha256, name };
  });
}

/** The dossier's id: a UUID (version 8, RFC 9562) derived from what it covers. */
export function dossierId(covered: unknown): string {
  const hex = sha256Hex(canonicalJson(covered));
  const variantNibble = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variantNibble}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
