import { createHash } from 'node:crypto';
import {
  declaredActs,
  type AuditStreamEntry,
  type CaseEntry,
  type DossierModel,
  type EvidenceEntry,
  type LegislationEntry,
  type RequirementRow,
  type SignatureEntry,
} from '../dossier-model.js';

/*
 * A realistic dossier model, built without a database: a benchtop CNC mill and a Wi-Fi variant of
 * it for the EU market, with applicable and non-applicable acts, three cases with histories,
 * evidence with long Unicode file names in every standing, current and stale signatures and
 * hash-chained audit streams. Tests render it; benchmarks scale it up to hundreds of pages.
 * Deterministic: the same options give the same model.
 */

export interface SampleDossierOptions {
  /** Evidence items (default 40). */
  evidence?: number;
  /** Audit records in each stream, beyond the case events (default 30). */
  auditRecordsPerStream?: number;
}

const START = Date.parse('2025-09-01T08:00:00.000Z');

export function sampleDossierModel(options: SampleDossierOptions = {}): DossierModel {
  const evidenceCount = options.evidence ?? 40;
  const recordsPerStream = options.auditRecordsPerStream ?? 30;

  const product = {
    id: uuid('product'),
    key: 'openmill-3',
    name: 'OpenMill 3 benchtop CNC mill',
    designVersion: '3.2.0',
    sourceUrl:
      'https://git.example.org/openmill-commons/openmill-3/-/tree/v3.2.0/hardware/mechanical/frame-and-gantry/documentation/assembly',
  };
  const variant = {
    id: uuid('variant'),
    key: 'openmill-3-wifi-lodz',
    name: 'OpenMill 3 Wi-Fi, Łódź edition',
    organisation: {
      id: uuid('org'),
      name: 'Warsztat Frezarski Łódź Sp. z o.o. (Ørsted Maker Collective partner)',
    },
  };

  const cases: CaseEntry[] = [
    caseEntry(
      'eu-md',
      'annex-viii',
      'eu-md-internal-checks',
      'technical-file',
      'Compiling the technical file (2006/42/EC Annex VII A)',
      0,
    ),
    caseEntry(
      'eu-red',
      'A',
      'eu-module-a',
      'declaration-signed',
      'Declaration of conformity signed; the case is complete',
      1,
    ),
    caseEntry(
      'eu-rohs',
      'A',
      'eu-module-a',
      'evidence-review',
      'Waiting for the legal team to review the material declarations',
      2,
    ),
  ];

  const evidence = Array.from({ length: evidenceCount }, (_, i) => evidenceEntry(i, product));
  const byKind = (kind: string) =>
    evidence.filter((e) => e.kind === kind && e.standing === 'current').map((e) => e.id);

  const legislation: LegislationEntry[] = [
    {
      regime: 'eu-md',
      title: 'Machinery Directive',
      legalReference: 'Directive 2006/42/EC',
      applies: true,
      notes: [
        {
          text: 'Conformity assessment for electrical risks is governed solely by the machinery act.',
          citation: 'Directive 2006/42/EC Annex I 1.5.1',
          held: true,
        },
      ],
      reasons: [
        { text: 'kind is machinery', citation: '2006/42/EC Art. 1(1)(a), Art. 2(a)', held: true },
        {
          text: 'placed on the market before 20 January 2027 (placingOnMarket 2026-09-01)',
          citation: '(EU) 2023/1230 Art. 52, Art. 54',
          held: true,
        },
        { text: 'not in Annex IV (machineryAnnexI is none)', citation: '2006/42/EC Art. 12(2)', held: true },
      ],
      routes: [
        { id: 'annex-viii', notifiedBody: false, workflow: 'eu-md-internal-checks' },
        { id: 'annex-ix', notifiedBody: true, workflow: 'eu-type-examination' },
        { id: 'annex-x', notifiedBody: true, workflow: 'eu-full-quality-assurance' },
      ],
      notifiedBodyRequired: false,
      chosenRoute: 'annex-viii',
      caseId: cases[0].id,
    },
    {
      regime: 'eu-mr',
      title: 'Machinery Regulation',
      legalReference: 'Regulation (EU) 2023/1230',
      applies: false,
      notes: [],
      reasons: [
        { text: 'kind is machinery', citation: '(EU) 2023/1230 Art. 2(1)(a)', held: true },
        {
          text: 'placed on the market on or after 20 January 2027 (placingOnMarket 2026-09-01)',
          citation: '(EU) 2023/1230 Art. 54',
          held: false,
        },
      ],
      routes: [],
      notifiedBodyRequired: false,
      chosenRoute: null,
      caseId: null,
    },
    {
      regime: 'eu-lvd',
      title: 'Low Voltage Directive',
      legalReference: 'Directive 2014/35/EU',
      applies: false,
      notes: [],
      reasons: [
        {
          text: 'mains supply between 50 and 1000 V AC (supplyVoltageAC 230 V)',
          citation: '2014/35/EU Art. 1',
          held: true,
        },
        {
          text: 'not machinery: for machinery the safety objectives of the LVD are covered by the Machinery Directive',
          citation: '2006/42/EC Annex I 1.5.1; 2014/35/EU Art. 1',
          held: false,
        },
        {
          text: 'no integrated radio: radio equipment meets the LVD objectives under the RED',
          citation: '2014/53/EU Art. 3(1)(a)',
          held: false,
        },
      ],
      routes: [],
      notifiedBodyRequired: false,
      chosenRoute: null,
      caseId: null,
    },
    {
      regime: 'eu-emc',
      title: 'Electromagnetic Compatibility Directive',
      legalReference: 'Directive 2014/30/EU',
      applies: false,
      notes: [],
      reasons: [
        {
          text: 'contains a digital device (digitalCircuitry)',
          citation: '2014/30/EU Art. 2(1)',
          held: true,
        },
        {
          text: 'no integrated radio: radio equipment meets EMC requirements under the RED',
          citation: '2014/53/EU Art. 3(1)(b); 2014/30/EU Art. 2(2)(a)',
          held: false,
        },
      ],
      routes: [],
      notifiedBodyRequired: false,
      chosenRoute: null,
      caseId: null,
    },
    {
      regime: 'eu-red',
      title: 'Radio Equipment Directive',
      legalReference: 'Directive 2014/53/EU',
      applies: true,
      notes: [],
      reasons: [
        {
          text: 'radio is integrated (permanently fixed Wi-Fi module)',
          citation: '2014/53/EU Art. 2(1)(1)',
          held: true,
        },
        {
          text: 'internet-connected: Delegated Regulation (EU) 2022/30 applies from 1 August 2025',
          citation: '(EU) 2022/30 Art. 1(1), Art. 3',
          held: true,
        },
        {
          text: 'EN 18031-1 applied in full (cybersecurityStandards full): Module A allowed',
          citation: '2014/53/EU Art. 17(2)',
          held: true,
        },
      ],
      routes: [
        { id: 'A', notifiedBody: false, workflow: 'eu-module-a' },
        { id: 'B+C', notifiedBody: true, workflow: 'eu-type-examination' },
        { id: 'H', notifiedBody: true, workflow: 'eu-full-quality-assurance' },
      ],
      notifiedBodyRequired: false,
      chosenRoute: 'A',
      caseId: cases[1].id,
    },
    {
      regime: 'eu-rohs',
      title: 'Restriction of Hazardous Substances Directive',
      legalReference: 'Directive 2011/65/EU as amended by (EU) 2015/863',
      applies: true,
      notes: [],
      reasons: [
        {
          text: 'electrical and electronic equipment (supplyVoltageAC 230 V)',
          citation: '2011/65/EU Art. 2(1), Art. 3(1)',
          held: true,
        },
      ],
      routes: [{ id: 'A', notifiedBody: false, workflow: 'eu-module-a' }],
      notifiedBodyRequired: false,
      chosenRoute: 'A',
      caseId: cases[2].id,
    },
  ];

  const requirementKinds: [number, string, string, string][] = [
    [0, 'risk-assessment', 'Risk assessment', 'technical-file'],
    [0, 'technical-drawings', 'Technical drawings', 'technical-file'],
    [0, 'electrical-safety-test-report', 'Electrical safety test report', 'technical-file'],
    [0, 'instructions', 'Instructions for use', 'technical-file'],
    [0, 'type-examination-certificate', 'EU type-examination certificate', 'technical-file'],
    [1, 'radio-test-report', 'Radio test report', 'testing'],
    [1, 'emc-test-report', 'EMC test report', 'testing'],
    [1, 'rf-exposure-assessment', 'RF exposure assessment', 'testing'],
    [1, 'cybersecurity-assessment', 'Cybersecurity assessment (EN 18031-1)', 'testing'],
    [2, 'rohs-material-declaration', 'RoHS material declaration', 'evidence-review'],
    [2, 'bill-of-materials', 'Bill of materials', 'evidence-review'],
  ];
  const requirements: RequirementRow[] = requirementKinds.map(([c, kind, kindTitle, step]) => {
    const satisfiedBy = byKind(kind).slice(0, 3);
    return {
      caseId: cases[c].id,
      regime: cases[c].regime,
      route: cases[c].route,
      kind,
      kindTitle,
      step,
      satisfiedBy,
      gap: satisfiedBy.length > 0 ? null : gapFor(kind, evidence),
    };
  });

  const signatures: SignatureEntry[] = [
    signature(
      cases[0],
      'risk assessment approved for the technical file',
      'Zoë Ångström',
      0,
      evidence.slice(0, 2),
      false,
      'the risk assessment E01 was superseded on 2025-10-02',
    ),
    signature(
      cases[1],
      'EU declaration of conformity signed',
      'Łukasz Żółkiewski',
      1,
      evidence.slice(2, 6),
      true,
      null,
    ),
    signature(
      cases[2],
      'material declarations accepted',
      'Søren Ørsted',
      2,
      evidence.slice(6, 8),
      true,
      null,
    ),
  ];

  const audit: AuditStreamEntry[] = [
    auditStream(`variant:${variant.id}`, recordsPerStream, 10, [
      'variant.created',
      'evidence.uploaded',
      'evidence.reviewed',
      'dossier.downloaded',
    ]),
    auditStream(`product:${product.id}`, recordsPerStream, 20, [
      'product.created',
      'evidence.uploaded',
      'evidence.reviewed',
    ]),
    ...cases.map((c, i) =>
      auditStream(`case:${c.id}`, recordsPerStream + c.history.length, 30 + i, [
        'case.opened',
        ...c.history.map((h) => `event.${h.event}`),
      ]),
    ),
  ];
  const lastRecord =
    audit
      .flatMap((a) => a.records.map((r) => r.at))
      .sort()
      .at(-1) ?? new Date(START).toISOString();

  return {
    id: uuid('dossier'),
    date: lastRecord,
    market: 'EU',
    contentVersion: sha('content'),
    manifestSha256: sha(`manifest:${evidenceCount}:${recordsPerStream}`),
    product,
    variant,
    changes: [
      { attribute: 'radio', meaning: 'intentional radio', base: 'none', value: 'integrated' },
      {
        attribute: 'internetConnected',
        meaning: 'can talk to the internet itself or through another device',
        base: false,
        value: true,
      },
      { attribute: 'motorPowerW', meaning: 'drive power', unit: 'W', base: 400, value: 750 },
      {
        attribute: 'enclosureMaterial',
        meaning: 'enclosure and guard material',
        base: 'powder-coated steel',
        value: 'aluminium with polycarbonate guard',
      },
    ],
    attributes: [
      { name: 'kind', value: 'machinery' },
      { name: 'machineryAnnexI', value: null },
      { name: 'harmonisedStandards', value: 'full' },
      { name: 'supplyVoltageAC', unit: 'V', value: 230 },
      { name: 'supplyVoltageDC', unit: 'V', value: 0 },
      { name: 'radio', value: 'integrated' },
      { name: 'radioModuleCertified', value: false },
      { name: 'internetConnected', value: true },
      { name: 'cybersecurityStandards', value: 'full' },
      { name: 'digitalCircuitry', value: true },
      { name: 'intendedUsers', value: 'professional' },
      { name: 'mlSafetyFunction', value: 'none' },
      { name: 'placingOnMarket', value: '2026-09-01' },
      { name: 'motorPowerW', unit: 'W', value: 750 },
      { name: 'enclosureMaterial', value: 'aluminium with polycarbonate guard' },
    ],
    legislation,
    cases,
    requirements,
    evidence,
    signatures,
    audit,
    declaration: {
      title: 'EU declaration of conformity',
      manufacturer: `${variant.organisation.name}, ul. Piotrkowska 120, 90-006 Łódź, Poland`,
      product: `${product.name}, variant ${variant.name}`,
      acts: declaredActs(legislation),
      bodies: [],
      incorporation: null,
      standards: [
        'EN ISO 12100:2010',
        'EN 60204-1:2018',
        'EN ISO 16090-1:2018',
        'EN 300 328 V2.2.2',
        'EN 301 489-1 V2.2.3',
        'EN 301 489-17 V3.2.4',
        'EN 62311:2008',
        'EN 18031-1:2024',
        'EN IEC 63000:2018',
      ],
    },
  };
}

const KINDS: [string, string][] = [
  ['risk-assessment', 'Risk assessment'],
  ['electrical-safety-test-report', 'Electrical safety test report'],
  ['radio-test-report', 'Radio test report'],
  ['emc-test-report', 'EMC test report'],
  ['rf-exposure-assessment', 'RF exposure assessment'],
  ['cybersecurity-assessment', 'Cybersecurity assessment (EN 18031-1)'],
  ['rohs-material-declaration', 'RoHS material declaration'],
  ['instructions', 'Instructions for use'],
  ['technical-drawings', 'Technical drawings'],
  ['bill-of-materials', 'Bill of materials'],
];

const ISSUERS = [
  'Prüflabor Łódź GmbH & Co. KG',
  'Ørsted Elektro-Messtechnik ApS',
  'Warsztat Frezarski Łódź Sp. z o.o.',
  'OpenMill Commons design team',
  'Laboratoire d’essais radio Besançon SAS',
];

/** Long, realistic file names: words joined by separators, and one with no separator at all. */
const NAMES = [
  'Prüflabor-Łódź_Ørsted-Elektro_EN-IEC-60204-1-2018_Prüfbericht_Nr-2025-0815_vollständig_mit_Anhängen_A-bis-K_und_Messprotokollen_für_OpenMill-3-WiFi-Łódź-Edition_final_unterschrieben.pdf',
  'RadioEquipmentDirectiveArticle3Point2EffectiveUseOfSpectrumTestReportForTheIntegratedEsp32S3ModuleInTheOpenMill3ControllerBoardRevisionDWithExternalAntenna.pdf',
  'risk assessment – spindle guard and emergency stop (Łódź edition).xlsx',
  'drawings/frame_and_gantry/rev-C/assembly-overview.pdf',
];

function evidenceEntry(i: number, product: { key: string; designVersion: string }): EvidenceEntry {
  const [kind, kindTitle] = KINDS[i % KINDS.length];
  const standings = [
    'current',
    'current',
    'current',
    'pending',
    'current',
    'expired',
    'current',
    'superseded',
    'current',
    'rejected',
  ];
  const standing = standings[i % standings.length];
  const inherited = i % 3 === 2;
  const issued = new Date(START + i * 86_400_000).toISOString();
  const validUntil = kind.endsWith('report') ? new Date(START + (i + 730) * 86_400_000).toISOString() : null;
  const name = NAMES[i % NAMES.length].replace(/\.(\w+)$/, `_${String(i + 1).padStart(3, '0')}.$1`);
  return {
    id: uuid(`evidence-${i}`),
    kind,
    kindTitle,
    originalName: name,
    sha256: sha(`evidence-bytes-${i}`),
    size: 10_000 + ((i * 7919) % 5_000_000),
    mediaType: name.endsWith('.xlsx')
      ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      : 'application/pdf',
    issuer: ISSUERS[i % ISSUERS.length],
    issuedAt: issued,
    validUntil,
    lastValidDay: validUntil ? validUntil.slice(0, 10) : null,
    standing,
    review:
      standing === 'pending'
        ? { status: 'pending', by: null, at: null, comment: null }
        : {
            status: standing === 'rejected' ? 'rejected' : 'accepted',
            by: i % 2 === 0 ? 'Zoë Ångström' : 'Łukasz Żółkiewski',
            at: new Date(START + (i + 3) * 86_400_000).toISOString(),
            comment:
              standing === 'rejected'
                ? 'Rejected: the report tests the 2.4 GHz band only; the module also transmits in the 5 GHz band (EN 301 893 needed).'
                : i % 4 === 0
                  ? 'Accepted. Checked against the bill of materials, revision C; measurements reproduced by the workshop in Łódź.'
                  : null,
          },
    source: inherited ? 'inherited' : 'own',
    inheritedFrom: inherited ? { productKey: product.key, designVersion: product.designVersion } : null,
  };
}

function gapFor(kind: string, evidence: EvidenceEntry[]): string {
  const any = evidence.find((e) => e.kind === kind);
  if (!any) return 'no evidence of this kind has been supplied';
  return `${any.standing === 'pending' ? 'pending review' : any.standing}: ${any.originalName}`;
}

function caseEntry(
  regime: string,
  route: string,
  workflow: string,
  state: string,
  stateDescription: string,
  n: number,
): CaseEntry {
  const id = uuid(`case-${regime}`);
  const steps: [string, string, string | null][] = [
    ['open', 'draft', null],
    [
      'submitEvidence',
      'evidence-review',
      'Test reports uploaded by the workshop in Łódź; see the evidence index.',
    ],
    [
      'requestChanges',
      'draft',
      'The risk assessment does not cover the new 750 W spindle drive. Please update section 4 (mechanical hazards) and the residual-risk table before resubmitting.',
    ],
    ['submitEvidence', 'evidence-review', null],
    ['acceptEvidence', 'technical-file', 'All required evidence accepted.'],
    [
      'signDeclaration',
      'declaration-signed',
      'Signed by Łukasz Żółkiewski, legal team, for and on behalf of the manufacturer.',
    ],
  ];
  const last = state === 'declaration-signed' ? 6 : state === 'technical-file' ? 5 : 4;
  let from: string | null = null;
  const history = steps.slice(0, last).map(([event, to, comment], k) => {
    const entry = {
      seq: k + 1,
      at: new Date(START + (n * 10 + k) * 3_600_000).toISOString(),
      actor: k % 2 === 0 ? 'Søren Ørsted' : 'Zoë Ångström',
      role: k % 2 === 0 ? 'customiser' : 'legal',
      event,
      from,
      to,
      comment,
    };
    from = to;
    return entry;
  });
  return {
    id,
    regime,
    route,
    workflow: { id: workflow, version: 2, hash: sha(`workflow-${workflow}`) },
    state,
    stateDescription,
    status: state === 'declaration-signed' ? 'completed' : 'active',
    openedAt: history[0].at,
    history,
  };
}

function signature(
  c: CaseEntry,
  meaning: string,
  signer: string,
  n: number,
  covered: EvidenceEntry[],
  current: boolean,
  staleBecause: string | null,
): SignatureEntry {
  return {
    caseId: c.id,
    regime: c.regime,
    meaning,
    signer: { id: uuid(`user-${signer}`), name: signer, role: 'legal' },
    at: new Date(START + (n * 10 + 5) * 3_600_000).toISOString(),
    sha256: sha(`signature-${n}`),
    coveredEvidence: covered.map((e) => ({ id: e.id, kind: e.kind, sha256: e.sha256 })),
    current,
    staleBecause,
  };
}

function auditStream(stream: string, length: number, offset: number, actions: string[]): AuditStreamEntry {
  let prev = '0'.repeat(64);
  const records = Array.from({ length }, (_, i) => {
    const at = new Date(START + offset * 60_000 + i * 97_000 + (i % 1000)).toISOString();
    const action = actions[i < actions.length ? i : 1 + (i % (actions.length - 1 || 1))] ?? actions[0];
    const hash = sha(`${stream}:${i + 1}:${prev}:${action}`);
    prev = hash;
    const actor = ['Søren Ørsted', 'Zoë Ångström', 'Łukasz Żółkiewski'][i % 3];
    return { seq: i + 1, at, actor, role: ['customiser', 'legal', 'legal'][i % 3], action, hash };
  });
  return { stream, length, head: prev, records };
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuid(label: string): string {
  const h = sha(`uuid:${label}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
