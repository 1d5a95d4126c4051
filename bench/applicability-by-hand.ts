import type { ParameterValues } from '../src/content/conditions.js';

/*
 * The baseline of `applicabilityVsHandCoded`: the conditions of rules/regimes/*.yaml written once
 * more as plain JavaScript predicates, one function per regime, with the rules' parameter values
 * read once. Each answers what the engine decides (status, allowed routes, notes that hold) as a
 * number: bits 0-1 the status, bit 2 + i route i allowed, bit 8 + i note i holds, in the order the
 * rules list them. The benchmark checks that both agree on every variant, so a change to the rules
 * that this file does not follow stops the benchmark instead of measuring something else.
 */

/** The effective attributes of a variant, in the order of rules/attributes.yaml. */
export interface VariantAttributes {
  kind: string;
  machineryAnnexI: string | null;
  harmonisedStandards: string;
  supplyVoltageAC: number;
  supplyVoltageDC: number;
  radio: string;
  radioStandards: string;
  radioModuleCertified: boolean;
  internetConnected: boolean;
  cybersecurityStandards: string;
  digitalCircuitry: boolean;
  intendedUsers: string;
  madeAvailableToConsumers: boolean;
  usedInWorkplaces: boolean;
  fcc15103bControlOnly: boolean;
  manufacturerEstablishedInEU: boolean;
  machineType: string;
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
  const redCyberDate = params.redCybersecurityApplicationDate as string;
  const craDate = params.craApplicationDate as string;
  const aiActDate = params.aiActAnnexIApplicationDate as string;
  const printersAreOfficeMachinery = params.md3dPrintersAreOfficeMachinery === true;
  const ecodesignSpindle = params.ecodesignMotorsApplyToIntegratedSpindle === true;
  const gbCe = params.gbRecognisesCe === true;
  const gbCeUnderRegulation = params.gbAcceptsCeUnderMachineryRegulation === true;
  const gbRerCyber = params.gbRerCybersecurityActivated === true;
  const ukcaOnDocumentUntil = params.gbUkcaOnAccompanyingDocumentUntil as string;

  const isMachinery = (a: VariantAttributes) =>
    a.kind === 'machinery' || a.kind === 'partly-completed-machinery';
  const powered = (a: VariantAttributes) => a.supplyVoltageAC > 0 || a.supplyVoltageDC > 0;
  const electrical = (a: VariantAttributes) => powered(a) || a.digitalCircuitry;
  const withinRoHSRating = (a: VariantAttributes) => a.supplyVoltageAC <= 1000 && a.supplyVoltageDC <= 1500;
  const lowVoltage = (a: VariantAttributes) =>
    (a.supplyVoltageAC >= 50 && a.supplyVoltageAC <= 1000) ||
    (a.supplyVoltageDC >= 75 && a.supplyVoltageDC <= 1500);
  const placedBefore = (a: VariantAttributes, date: string) =>
    a.placingOnMarket !== null && a.placingOnMarket < date;
  const placedFrom = (a: VariantAttributes, date: string) =>
    a.placingOnMarket !== null && a.placingOnMarket >= date;
  const consumers = (a: VariantAttributes) => a.madeAvailableToConsumers || a.intendedUsers === 'consumer';
  const workplaces = (a: VariantAttributes) => a.usedInWorkplaces || a.intendedUsers !== 'consumer';
  const selfEvolving = (a: VariantAttributes) => a.mlSafetyFunction === 'self-evolving';
  const inAnnexIV = (a: VariantAttributes) =>
    a.kind === 'machinery' && a.machineryAnnexI !== null && annexIV.has(a.machineryAnnexI);
  const notInAnnexIV = (a: VariantAttributes) =>
    a.kind === 'machinery' && !(a.machineryAnnexI !== null && annexIV.has(a.machineryAnnexI));
  const partA = (a: VariantAttributes) =>
    a.kind === 'machinery' &&
    ((a.machineryAnnexI !== null && a.machineryAnnexI.startsWith('A-')) || selfEvolving(a));
  const partB = (a: VariantAttributes) =>
    a.kind === 'machinery' && a.machineryAnnexI !== null && a.machineryAnnexI.startsWith('B-');
  /** Directive 2006/42/EC and the GB SMSR 2008: Annex VIII (also partly completed), IX, X. */
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
  const officeMachinery = (a: VariantAttributes) =>
    a.machineType === '3d-printer' && printersAreOfficeMachinery && lowVoltage(a);
  const notMachineryForLvd = (a: VariantAttributes) =>
    a.kind !== 'machinery' && (a.kind !== 'partly-completed-machinery' || lvdForPartlyCompleted);
  const emcApplies = (a: VariantAttributes) =>
    electrical(a) && (a.kind !== 'electronic-subassembly' || emcSubassemblies) && a.radio !== 'integrated';
  const woodCircularSaw = (a: VariantAttributes) =>
    a.machineType === 'wood-circular-saw' && a.kind === 'machinery' && a.machineryAnnexI !== 'B-1';
  const ecodesignMotors = (a: VariantAttributes) =>
    a.motorPowerW > 0 && a.kind === 'machinery' && ecodesignSpindle;
  const cyberResilienceAct = (a: VariantAttributes) => a.internetConnected && placedFrom(a, craDate);
  const ukcaOnDocument = (a: VariantAttributes) =>
    a.placingOnMarket === null || a.placingOnMarket <= ukcaOnDocumentUntil;
  /** The notes of the GB DBT regimes other than machinery and radio: UKCA easement, CE recognised. */
  const gbNotes = (a: VariantAttributes) => (ukcaOnDocument(a) ? note(0) : 0) | (gbCe ? note(1) : 0);

  return new Map<string, Rule>([
    [
      'eu-md',
      (a) => {
        let notes = 0;
        if (placedBefore(a, mrDate)) notes |= note(0);
        if (a.kind === 'machinery' && powered(a)) notes |= note(1);
        if (a.machineType === '3d-printer' && !printersAreOfficeMachinery) notes |= note(2);
        if (woodCircularSaw(a)) notes |= note(3);
        if (ecodesignMotors(a)) notes |= note(4);
        if (selfEvolving(a)) notes |= note(5);
        if (!isMachinery(a)) return NOT_APPLICABLE | notes;
        if (a.placingOnMarket === null) return UNDETERMINED | notes;
        if (!placedBefore(a, mrDate) || officeMachinery(a)) return NOT_APPLICABLE | notes;
        return APPLIES | directiveRoutes(a) | notes;
      },
    ],
    [
      'eu-mr',
      (a) => {
        const ml = a.mlSafetyFunction !== 'none';
        let notes = 0;
        if (a.kind === 'machinery' && powered(a)) notes |= note(0);
        if (a.kind === 'machinery' && a.radio === 'integrated') notes |= note(1);
        if (a.kind === 'machinery' && consumers(a)) notes |= note(2);
        if (a.machineType === '3d-printer') notes |= note(3);
        if (woodCircularSaw(a)) notes |= note(4);
        if (ecodesignMotors(a)) notes |= note(5);
        if (ml && (a.placingOnMarket === null || a.placingOnMarket >= aiActDate)) notes |= note(6);
        if (ml && placedBefore(a, aiActDate)) notes |= note(7);
        if (
          a.kind === 'machinery' &&
          selfEvolving(a) &&
          (a.machineryAnnexI === null || !a.machineryAnnexI.startsWith('A-'))
        )
          notes |= note(8);
        if (cyberResilienceAct(a)) notes |= note(9);
        if (a.kind === 'machinery' && (a.machineryAnnexI !== null || selfEvolving(a))) notes |= note(10);
        if (!isMachinery(a)) return NOT_APPLICABLE | notes;
        if (a.placingOnMarket === null) return UNDETERMINED | notes;
        if (!placedFrom(a, mrDate)) return NOT_APPLICABLE | notes;
        let routes = 0;
        if (
          (a.kind === 'machinery' && a.machineryAnnexI === null && !selfEvolving(a)) ||
          (partB(a) &&
            !selfEvolving(a) &&
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
        const notMachinery =
          notMachineryForLvd(a) ||
          (a.kind === 'machinery' &&
            a.machineType === '3d-printer' &&
            printersAreOfficeMachinery &&
            placedBefore(a, mrDate));
        if (!notMachinery || a.radio === 'integrated' || !lowVoltage(a)) return NOT_APPLICABLE | notes;
        return APPLIES | route(0) | notes;
      },
    ],
    [
      'eu-emc',
      (a) => {
        let notes = 0;
        if (a.intendedUsers !== 'consumer') notes |= note(0);
        if (cyberResilienceAct(a)) notes |= note(1);
        return (emcApplies(a) ? APPLIES | route(0) | route(1) : NOT_APPLICABLE) | notes;
      },
    ],
    [
      'eu-red',
      (a) => {
        const integrated = a.radio === 'integrated';
        let notes = 0;
        if (integrated) notes |= note(0);
        if (cyberResilienceAct(a)) notes |= note(1);
        if (integrated) notes |= note(2);
        if (!integrated) return NOT_APPLICABLE | notes;
        const cyberRequired =
          a.internetConnected && (a.placingOnMarket === null || a.placingOnMarket >= redCyberDate);
        const moduleA =
          a.radioStandards === 'full' && (!cyberRequired || a.cybersecurityStandards === 'full');
        return APPLIES | (moduleA ? route(0) : 0) | route(1) | route(2) | notes;
      },
    ],
    [
      'eu-rohs',
      (a) => {
        const notes = a.intendedUsers === 'industrial-only' ? note(0) : 0;
        return (electrical(a) && withinRoHSRating(a) ? APPLIES | route(0) : NOT_APPLICABLE) | notes;
      },
    ],
    [
      'gb-smsr',
      (a) => {
        let notes = 0;
        if (ukcaOnDocument(a)) notes |= note(0);
        if (gbCe && (a.placingOnMarket === null || a.placingOnMarket < mrDate)) notes |= note(1);
        if (placedFrom(a, mrDate)) notes |= gbCeUnderRegulation ? note(3) : note(2);
        if (selfEvolving(a)) notes |= note(4);
        if (!isMachinery(a)) return NOT_APPLICABLE | notes;
        return APPLIES | directiveRoutes(a) | notes;
      },
    ],
    [
      'gb-eesr',
      (a) => {
        if (!notMachineryForLvd(a) || a.radio === 'integrated' || !lowVoltage(a))
          return NOT_APPLICABLE | gbNotes(a);
        return APPLIES | route(0) | gbNotes(a);
      },
    ],
    ['gb-emc', (a) => (emcApplies(a) ? APPLIES | route(0) | route(1) : NOT_APPLICABLE) | gbNotes(a)],
    [
      'gb-rer',
      (a) => {
        let notes = gbNotes(a);
        if (a.internetConnected && !gbRerCyber) notes |= note(2);
        if (a.radio !== 'integrated') return NOT_APPLICABLE | notes;
        const moduleA =
          a.radioStandards === 'full' &&
          (!(a.internetConnected && gbRerCyber) || a.cybersecurityStandards === 'full');
        return APPLIES | (moduleA ? route(0) : 0) | route(1) | route(2) | notes;
      },
    ],
    [
      'gb-rohs',
      (a) => (electrical(a) && withinRoHSRating(a) ? APPLIES | route(0) : NOT_APPLICABLE) | gbNotes(a),
    ],
    ['gb-psti', (a) => (consumers(a) && a.internetConnected ? APPLIES | route(0) : NOT_APPLICABLE)],
    [
      'us-fcc-15b',
      (a) => {
        let notes = 0;
        if (consumers(a)) notes |= note(0);
        if (a.intendedUsers !== 'consumer' && !a.madeAvailableToConsumers) notes |= note(1);
        if (a.digitalCircuitry) notes |= note(2);
        if (a.radio === 'integrated' && a.radioModuleCertified) notes |= note(3);
        const exempt =
          a.intendedUsers === 'industrial-only' && a.fcc15103bControlOnly && !a.madeAvailableToConsumers;
        if (!a.digitalCircuitry || exempt) return NOT_APPLICABLE | notes;
        return APPLIES | route(0) | route(1) | notes;
      },
    ],
    [
      'us-fcc-radio',
      (a) =>
        a.radio === 'integrated'
          ? APPLIES | route(0) | (a.radioModuleCertified ? route(1) : 0) | note(0)
          : NOT_APPLICABLE,
    ],
    [
      'us-nrtl',
      (a) => {
        const notes = workplaces(a) && powered(a) ? note(0) : 0;
        if (!powered(a) || a.kind === 'electronic-subassembly' || !workplaces(a))
          return NOT_APPLICABLE | notes;
        return APPLIES | route(0) | route(1) | notes;
      },
    ],
  ]);
}
