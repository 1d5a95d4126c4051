/*
 * Everything a dossier PDF shows, as plain JSON-serialisable data. The dossier service gathers it
 * from the database (as of the dossier's date) and the renderer turns it into pages; the model is
 * the boundary between them, so the renderer needs no database and the service no pdfkit.
 *
 * Determinism: the model carries its own `date` (the time of the last audit record it covers) and
 * every list in a stable order, so the same model always renders the same bytes.
 */

export interface DossierModel {
  /** Dossier id (UUID); printed on the cover and in the PDF metadata. */
  id: string;
  /** RFC 3339 UTC: the time of the last audit record the dossier covers. Never the clock. */
  date: string;
  market: 'EU' | 'GB' | 'US';
  /** SHA-256 of all rules and workflows (GET /content). */
  contentVersion: string;
  /**
   * SHA-256 of the canonical (RFC 8785) manifest without its `pdfSha256` member. Printed on the
   * cover, so a reader can tie the PDF to its manifest; the manifest then names the PDF's hash.
   */
  manifestSha256: string;

  product: { id: string; key: string; name: string; designVersion: string; sourceUrl: string | null };
  variant: { id: string; key: string; name: string; organisation: { id: string; name: string } };

  /** The variant's changes from its base design, with the attribute's meaning and unit. */
  changes: { attribute: string; meaning: string; unit?: string; base: Scalar; value: Scalar }[];
  /** Every effective attribute of the variant. */
  attributes: { name: string; unit?: string; value: Scalar }[];

  /** Every regime of the market, applicable or not, with the reasons and the route chosen. */
  legislation: LegislationEntry[];
  cases: CaseEntry[];
  /** Requirement → evidence matrix: one row per case and required evidence kind. */
  requirements: RequirementRow[];
  /** Every evidence item the dossier refers to (own and inherited), in a stable order. */
  evidence: EvidenceEntry[];
  signatures: SignatureEntry[];
  /** One entry per audit stream covered (variant, product, each case). */
  audit: AuditStreamEntry[];
  declaration: DeclarationDraft;
}

export type Scalar = string | number | boolean | null;

export interface Reason {
  /** Plain words: which condition held or failed. */
  text: string;
  /** Act + article/annex. */
  citation: string;
  held: boolean;
}

export interface LegislationEntry {
  regime: string;
  title: string;
  legalReference: string;
  applies: boolean;
  reasons: Reason[];
  /** Remarks that decide nothing but a reviewer should see (held is always true). */
  notes: Reason[];
  /** Routes the law allows for this variant. */
  routes: { id: string; notifiedBody: boolean; workflow: string }[];
  notifiedBodyRequired: boolean;
  /** The route of the case run for this regime, or null when no case was opened. */
  chosenRoute: string | null;
  caseId: string | null;
}

export interface CaseEntry {
  id: string;
  regime: string;
  route: string;
  workflow: { id: string; version: number; hash: string };
  state: string;
  /** Plain-words description of the current state. */
  stateDescription: string;
  status: string;
  openedAt: string;
  history: {
    seq: number;
    at: string;
    actor: string;
    role: string;
    event: string;
    from: string | null;
    to: string;
    comment: string | null;
  }[];
}

export interface RequirementRow {
  caseId: string;
  regime: string;
  route: string;
  kind: string;
  kindTitle: string;
  step: string;
  /** Evidence ids that satisfy it (see `evidence`). */
  satisfiedBy: string[];
  /** When nothing satisfies it: why (missing, pending review, expired, rejected, superseded). */
  gap: string | null;
}

export interface EvidenceEntry {
  id: string;
  kind: string;
  kindTitle: string;
  originalName: string;
  sha256: string;
  size: number;
  mediaType: string;
  issuer: string;
  issuedAt: string;
  validUntil: string | null;
  lastValidDay: string | null;
  /** current | pending | rejected | expired | superseded, as of the dossier's date. */
  standing: string;
  review: { status: string; by: string | null; at: string | null; comment: string | null };
  source: 'own' | 'inherited';
  inheritedFrom: { productKey: string; designVersion: string } | null;
}

export interface SignatureEntry {
  caseId: string;
  regime: string;
  meaning: string;
  signer: { id: string; name: string; role: string };
  at: string;
  /** SHA-256 of the case snapshot plus the evidence set the signature covered. */
  sha256: string;
  coveredEvidence: { id: string; kind: string; sha256: string }[];
  current: boolean;
  staleBecause: string | null;
}

export interface AuditStreamEntry {
  stream: string;
  length: number;
  head: string;
  records: { seq: number; at: string; actor: string; role: string; action: string; hash: string }[];
}

export interface DeclarationDraft {
  /** "EU declaration of conformity", "UK declaration of conformity", "US supplier's declaration…" */
  title: string;
  /** The organisation that places the variant on the market. */
  manufacturer: string;
  product: string;
  /**
   * The acts declared in conformity: every applicable act of the market (one declaration for all
   * EU acts), except the machinery act of partly completed machinery (see `incorporation`).
   */
  acts: DeclaredAct[];
  /**
   * Per act whose route needs a notified/approved body, TCB or NRTL: the body as its accepted
   * certificate names it, or that one is required and still to be named.
   */
  bodies: string[];
  /** Standards or specifications applied, when recorded. */
  standards: string[];
  /**
   * Partly completed machinery: the machinery act takes a declaration of incorporation instead of
   * a declaration of conformity (Directive 2006/42/EC Art. 13, Annex II 1.B; Regulation (EU)
   * 2023/1230 Art. 11, 22, Annex V Part B); `acts` then holds only the other acts. Null otherwise.
   */
  incorporation: IncorporationDraft | null;
}

export interface IncorporationDraft {
  /** As the act's annex names the document. */
  title: string;
  act: DeclaredAct;
  /** The provision the relevant technical documentation is compiled under. */
  documentation: string;
  /** The Directive (and its GB form) asks for the person authorised to compile it; the Regulation does not. */
  authorisedPerson: boolean;
}

export interface DeclaredAct {
  regime: string;
  title: string;
  legalReference: string;
  route: string | null;
}

/** The acts that apply, as a declaration names them, with the route chosen for each. */
export function declaredActs(legislation: LegislationEntry[]): DeclaredAct[] {
  return legislation
    .filter((l) => l.applies)
    .map((l) => ({
      regime: l.regime,
      title: l.title,
      legalReference: l.legalReference,
      route: l.chosenRoute,
    }));
}
