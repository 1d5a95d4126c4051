import { pathToFileURL } from 'node:url';
import { assessApplicability, type RegimeApplicability } from '../src/applicability/applicability.js';
import type { Variables } from '../src/content/conditions.js';
import { loadContent } from '../src/content/content-loader.js';
import { parameterValues } from '../src/content/parameters.js';
import type { Regime } from '../src/content/regimes.js';
import {
  APPLIES,
  handCodedRules,
  NOT_APPLICABLE,
  note,
  route,
  UNDETERMINED,
  type VariantAttributes,
} from './applicability-by-hand.js';
import { formatTable, progress, round, type Row } from './stats.js';
import { repoRoot } from './transitions.bench.js';

/*
 * applicabilityVsHandCoded: evaluations/s of `assessApplicability` (the shipped rules as
 * `loadContent` loads them) over 10,000 generated variants and every regime of every market ÷
 * evaluations/s of the same conditions as plain JavaScript predicates (applicability-by-hand.ts).
 * One evaluation = one variant × one regime. The engine answers with the explained result the API
 * serves (reasons, routes, notes); the hand-written predicates with a number. Both agree on every
 * variant, checked before timing. Rounds alternate; each side's fastest round counts, in CPU time
 * (both are synchronous loops on one thread). Target ≥ 0.2.
 */

const VARIANTS = 10_000;
const ROUNDS = 5;

export interface ApplicabilityFigures {
  applicabilityVsHandCoded: number;
  engineEvaluationsPerSec: number;
  handCodedEvaluationsPerSec: number;
  evaluations: number;
}

/** A small deterministic generator, so every run sees the same variants. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Variants over the whole attribute vocabulary (rules/attributes.yaml), as effective attributes. */
export function sampleVariants(count: number, seed = 7): VariantAttributes[] {
  const random = mulberry32(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const annexI = [
    ...Array.from({ length: 6 }, (_, i) => `A-${i + 1}`),
    ...Array.from({ length: 19 }, (_, i) => `B-${i + 1}`),
  ];
  const day = () => {
    const date = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 4 * 365) * 86_400_000);
    return date.toISOString().slice(0, 10);
  };
  return Array.from({ length: count }, () => ({
    kind: pick(['machinery', 'partly-completed-machinery', 'electrical-equipment', 'electronic-subassembly']),
    machineryAnnexI: random() < 0.5 ? null : pick(annexI),
    harmonisedStandards: pick(['full', 'partial', 'none']),
    supplyVoltageAC: pick([0, 0, 12, 48, 110, 230, 230, 400, 690, 1200]),
    supplyVoltageDC: pick([0, 0, 0, 5, 12, 24, 48, 80, 400, 1500, 2000]),
    radio: pick(['none', 'none', 'integrated', 'removable-module']),
    radioStandards: pick(['full', 'partial', 'none']),
    radioModuleCertified: random() < 0.5,
    internetConnected: random() < 0.5,
    cybersecurityStandards: pick(['full', 'restricted', 'none']),
    digitalCircuitry: random() < 0.7,
    intendedUsers: pick(['consumer', 'professional', 'industrial-only']),
    madeAvailableToConsumers: random() < 0.5,
    usedInWorkplaces: random() < 0.5,
    fcc15103bControlOnly: random() < 0.5,
    manufacturerEstablishedInEU: random() < 0.5,
    machineType: pick([
      'unspecified',
      'cnc-mill',
      'cnc-router',
      'lathe',
      '3d-printer',
      'wood-circular-saw',
      'other',
    ]),
    mlSafetyFunction: pick(['none', 'none', 'fixed', 'self-evolving']),
    placingOnMarket: random() < 0.1 ? null : day(),
    // Some without a motor: the ecodesign notes turn on motorPowerW > 0.
    motorPowerW: random() < 0.2 ? 0 : Math.round(random() * 5000),
    enclosureMaterial: pick(['steel', 'aluminium', 'polycarbonate', 'plywood']),
  }));
}

/** The engine's answer in the hand-written predicates' encoding. */
function encode(regime: Regime, answer: RegimeApplicability): number {
  const status = { applies: APPLIES, 'not-applicable': NOT_APPLICABLE, undetermined: UNDETERMINED }[
    answer.status
  ];
  let code = status;
  regime.routes.forEach((r, i) => {
    if (answer.routes.some((allowed) => allowed.id === r.id)) code |= route(i);
  });
  regime.notes.forEach((n, i) => {
    if (answer.notes.some((held) => held.condition === n.id)) code |= note(i);
  });
  return code;
}

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export async function benchApplicability(): Promise<ApplicabilityFigures> {
  progress(`applicability: ${VARIANTS} variants × every regime`);
  const content = loadContent(repoRoot());
  const params = parameterValues(content.parameters);
  const regimes = [...content.regimes.values()];
  const byHand = handCodedRules(params);
  const rules = regimes.map((r) => {
    const rule = byHand.get(r.id);
    if (!rule) throw new Error(`applicability-by-hand.ts has no predicate for regime ${r.id}`);
    return rule;
  });
  if (byHand.size !== regimes.length)
    throw new Error('applicability-by-hand.ts has regimes the rules do not');
  const variants = sampleVariants(VARIANTS);
  // A variant without some attribute would be judged on its default, which no predicate sees.
  const unvaried = [...content.attributes.keys()].filter((name) => !(name in variants[0]));
  if (unvaried.length > 0)
    throw new Error(`sampleVariants does not vary the attributes ${unvaried.join(', ')}`);
  const evaluations = VARIANTS * regimes.length;

  // Both must answer the same before either is timed.
  variants.forEach((v, n) => {
    const answers = assessApplicability(regimes, v as unknown as Variables, params);
    answers.forEach((answer, i) => {
      const engine = encode(regimes[i], answer);
      const hand = rules[i](v);
      if (engine !== hand) {
        throw new Error(
          `variant ${n} ${JSON.stringify(v)}: ${regimes[i].id} engine ${engine.toString(2)} ≠ by hand ${hand.toString(2)}`,
        );
      }
    });
  });

  const sink: RegimeApplicability[][] = new Array(VARIANTS);
  const codes = new Int32Array(evaluations);
  const engine = () => {
    for (let n = 0; n < VARIANTS; n++)
      sink[n] = assessApplicability(regimes, variants[n] as unknown as Variables, params);
  };
  const hand = () => {
    let k = 0;
    for (let n = 0; n < VARIANTS; n++) {
      const v = variants[n];
      for (let i = 0; i < rules.length; i++) codes[k++] = rules[i](v);
    }
  };
  engine();
  hand();
  const engineTimes: number[] = [];
  const handTimes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    engineTimes.push(cpuMs(engine));
    handTimes.push(cpuMs(hand));
  }
  const engineMs = Math.min(...engineTimes);
  const handMs = Math.min(...handTimes);
  return {
    applicabilityVsHandCoded: round(handMs / engineMs),
    engineEvaluationsPerSec: Math.round((evaluations / engineMs) * 1000),
    handCodedEvaluationsPerSec: Math.round((evaluations / handMs) * 1000),
    evaluations,
  };
}

export function applicabilityRows(f: ApplicabilityFigures): Row[] {
  return [
    [
      'applicability ÷ hand-coded',
      `${f.applicabilityVsHandCoded}`,
      `≥ 0.2  (${f.engineEvaluationsPerSec.toLocaleString('en')}/s vs ${f.handCodedEvaluationsPerSec.toLocaleString('en')}/s, ${f.evaluations.toLocaleString('en')} evaluations)`,
    ],
  ];
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) process.stdout.write(`${formatTable(applicabilityRows(await benchApplicability()))}\n`);
