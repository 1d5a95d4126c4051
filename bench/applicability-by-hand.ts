import type { ParameterValues } from '../src/content/conditions.js';

/*
 * The baseline of `applicabilityVsHandCoded`: the conditions of rules/regimes/*.yaml written once
 * more as plain JavaScript predicates, one function per regime, with the rules' parameter values
 * read once. Each answers what the engine decides (status, allowed routes, notes that hold) as a
 * number: bits 0-1 the status, bit 2 + i route i allowed, bit 8 + i note i holds, in the order the
 * rules list them. The benchmark checks that both agree on every variant, so a change to the rules
 * that this file does not follow stops the benchmark instead of measuring something else.
 */

export interface VariantAttributes {
  kind: string;
  machineryAnnexI: string | null;
  harmonisedStandards: string;
  supplyVoltageAC: number;
  supplyVoltageDC: number;
  radio: string;
  radioModuleCertified: boolean;
  internetConnected: boolean;
  cybersecurityStandards: string;
  digitalCircuitry: boolean;
  intendedUsers: string;
  mlSafetyFunction: string;
  placingOnMarket: string | null;
  motorPowerW: number;
  enclosureMaterial: string;
}

export const APPLIES = 0;
export const NOT_APPLICABLE = 1;
export const UNDETERMINED = 2;
export const route = (i: number): number => 1 << (2 + i);
export const note = (i: number): number => 1 << (8 + i);

type Rule = (a: VariantAttributes) => number;

/** One predicate per regime id, for the given parameter values. */
export function handCodedRules(params: ParameterValues): Map<string, Rule> {
  const mrDate = params.mrApplicationDate as string;
  const annexIV = new Set(params.mdAnnexIVCategories as string[]);
  const citedPartB = new Set(params.mrCitedCategoryStandards as string[]);
  const lvdForPartlyCompleted = params.lvdForPartlyCompletedMachinery === true;
  const emcSubassemblies = params.emcSubassembliesForEndUsers === true;
  const redStandards = params.redRadioStandardsAppliedInFull === true;
  const redCyberDate = params.redCybersecurityApplicationDate as string;
  const craDate = params.craApplicationDate as string;
  const gbCe = params.gbRecognisesCe === true;
  const gbCeUnderRegulation = params.gbAcceptsCeUnderMachineryRegulation === true;
  const gbRerCyber = params.gbRerCybersecurityActivated === true;

  const isMachinery = (a: VariantAttributes) =>
    a.kind === 'machinery' || a.kind === 'partly-completed-machinery';
  const powered = (a: VariantAttributes) => a.supplyVoltageAC > 0 || a.supplyVoltageDC > 0;
  const electrical = (a: VariantAttributes) => powered(a) || a.digitalCircuitry;
  const lowVoltage = (a: VariantAttributes) =>
    (a.supplyVoltageAC >= 50 && a.supplyVoltageAC <= 1000) ||
    (a.supplyVoltageDC >= 75 && a.supplyVoltageDC <= 1500);
  const inAnnexIV = (a: VariantAttributes) =>
    a.kind === 'machinery' && a.machineryAnnexI !== null && annexIV.has(a.machineryAnnexI);
  const notInAnnexIV = (a: VariantAttributes) =>
    a.kind === 'machinery' && !(a.machineryAnnexI !== null && annexIV.has(a.machineryAnnexI));
  const partA = (a: VariantAttributes) =>
    a.kind === 'machinery' &&
    ((a.machineryAnnexI !== null && a.machineryAnnexI.startsWith('A-')) ||
      a.mlSafetyFunction === 'self-evolving');
  const partB = (a: VariantAttributes) =>
    a.kind === 'machinery' && a.machineryAnnexI !== null && a.machineryAnnexI.startsWith('B-');
  const directiveRoutes = (a: VariantAttributes) => {
    const iv = inAnnexIV(a);
    let routes = 0;
    if (
      notInAnnexIV(a) ||
      (iv && a.harmonisedStandards === 'full') ||
      a.kind === 'partly-completed-machinery'
    )
      routes |= route(0);
    if (iv) routes |= route(1) | route(2);
    return routes;
  };
  const notMachineryForLvd = (a: VariantAttributes) =>
    a.kind !== 'machinery' && (a.kind !== 'partly-completed-machinery' || lvdForPartlyCompleted);
  const emcApplies = (a: VariantAttributes) =>
    electrical(a) && (a.kind !== 'electronic-subassembly' || emcSubassemblies) && a.radio !== 'integrated';

  return new Map<string, Rule>([
    [
      'eu-md',
      (a) => {
        let notes = 0;
        if (a.kind === 'machinery' && powered(a)) notes |= note(0);
        if (a.mlSafetyFunction === 'self-evolving') notes |= note(1);
        if (!isMachinery(a)) return NOT_APPLICABLE | notes;
        if (a.placingOnMarket === null) return UNDETERMINED | notes;
        if (!(a.placingOnMarket < mrDate)) return NOT_APPLICABLE | notes;
        return APPLIES | directiveRoutes(a) | notes;
      },
    ],
    [
      'eu-mr',
      (a) => {
        let notes = 0;
        if (a.kind === 'machinery' && powered(a)) notes |= note(0);
        if (a.kind === 'machinery' && a.radio === 'integrated') notes |= note(1);
        if (a.mlSafetyFunction !== 'none') notes |= note(2);
        if (!isMachinery(a)) return NOT_APPLICABLE | notes;
        if (a.placingOnMarket === null) return UNDETERMINED | notes;
        if (!(a.placingOnMarket >= mrDate)) return NOT_APPLICABLE | notes;
        let routes = 0;
        const notSelfEvolving = a.mlSafetyFunction !== 'self-evolving';
        if (
          (a.kind === 'machinery' && a.machineryAnnexI === null && notSelfEvolving) ||
          (partB(a) &&
            notSelfEvolving &&
            a.harmonisedStandards === 'full' &&
            citedPartB.has(a.machineryAnnexI as string)) ||
          a.kind === 'partly-completed-machinery'
        )
          routes |= route(0);
        if (partA(a) || partB(a)) routes |= route(1) | route(2) | route(3);
        return APPLIES | routes | notes;
      },
    ],
    [
      'eu-lvd',
      (a) => {
        const notes =
          a.supplyVoltageAC === 0 && a.supplyVoltageDC > 0 && a.supplyVoltageDC < 75 ? note(0) : 0;
        if (!notMachineryForLvd(a) || a.radio === 'integrated' || !lowVoltage(a))
          return NOT_APPLICABLE | notes;
        return APPLIES | route(0) | notes;
      },
    ],
    [
      'eu-emc',
      (a) => {
        const notes = a.intendedUsers === 'industrial-only' ? note(0) : 0;
        return (emcApplies(a) ? APPLIES | route(0) | route(1) : NOT_APPLICABLE) | notes;
      },
    ],
    [
      'eu-red',
      (a) => {
        let notes = 0;
        if (a.radio === 'integrated') notes |= note(0);
        if (a.internetConnected && a.placingOnMarket !== null && a.placingOnMarket >= craDate)
          notes |= note(1);
        if (a.radio !== 'integrated') return NOT_APPLICABLE | notes;
        const cyberRequired =
          a.internetConnected && (a.placingOnMarket === null || a.placingOnMarket >= redCyberDate);
        const moduleA = redStandards && (!cyberRequired || a.cybersecurityStandards === 'full');
        return APPLIES | (moduleA ? route(0) : 0) | route(1) | route(2) | notes;
      },
    ],
    [
      'eu-rohs',
      (a) => {
        const notes = a.intendedUsers === 'industrial-only' ? note(0) : 0;
        return (electrical(a) ? APPLIES | route(0) : NOT_APPLICABLE) | notes;
      },
    ],
    [
      'gb-smsr',
      (a) => {
        let notes = 0;
        if (gbCe && (a.placingOnMarket === null || a.placingOnMarket < mrDate)) notes |= note(0);
        if (a.placingOnMarket !== null && a.placingOnMarket >= mrDate) {
          notes |= gbCeUnderRegulation ? note(2) : note(1);
        }
        if (a.mlSafetyFunction === 'self-evolving') notes |= note(3);
        if (!isMachinery(a)) return NOT_APPLICABLE | notes;
        return APPLIES | directiveRoutes(a) | notes;
      },
    ],
    [
      'gb-eesr',
      (a) => {
        const notes = gbCe ? note(0) : 0;
        if (!notMachineryForLvd(a) || a.radio === 'integrated' || !lowVoltage(a))
          return NOT_APPLICABLE | notes;
        return APPLIES | route(0) | notes;
      },
    ],
    [
      'gb-emc',
      (a) => (emcApplies(a) ? APPLIES | route(0) | route(1) : NOT_APPLICABLE) | (gbCe ? note(0) : 0),
    ],
    [
      'gb-rer',
      (a) => {
        let notes = gbCe ? note(0) : 0;
        if (a.internetConnected && !gbRerCyber) notes |= note(1);
        if (a.radio !== 'integrated') return NOT_APPLICABLE | notes;
        const moduleA =
          redStandards && (!(a.internetConnected && gbRerCyber) || a.cybersecurityStandards === 'full');
        return APPLIES | (moduleA ? route(0) : 0) | route(1) | route(2) | notes;
      },
    ],
    ['gb-rohs', (a) => (electrical(a) ? APPLIES | route(0) : NOT_APPLICABLE) | (gbCe ? note(0) : 0)],
    [
      'gb-psti',
      (a) => (a.intendedUsers === 'consumer' && a.internetConnected ? APPLIES | route(0) : NOT_APPLICABLE),
    ],
    [
      'us-fcc-15b',
      (a) => {
        let notes = 0;
        if (a.intendedUsers === 'consumer') notes |= note(0);
        if (a.intendedUsers === 'professional') notes |= note(1);
        if (a.radio === 'integrated' && a.radioModuleCertified) notes |= note(2);
        if (!a.digitalCircuitry || a.intendedUsers === 'industrial-only') return NOT_APPLICABLE | notes;
        return APPLIES | route(0) | route(1) | notes;
      },
    ],
    [
      'us-fcc-radio',
      (a) =>
        a.radio === 'integrated'
          ? APPLIES | route(0) | (a.radioModuleCertified ? route(1) : 0)
          : NOT_APPLICABLE,
    ],
    [
      'us-nrtl',
      (a) => {
        const notes = a.intendedUsers !== 'consumer' && powered(a) ? note(0) : 0;
        if (!powered(a) || a.kind === 'electronic-subassembly' || a.intendedUsers === 'consumer')
          return NOT_APPLICABLE | notes;
        return APPLIES | route(0) | route(1) | notes;
      },
    ],
  ]);
}
