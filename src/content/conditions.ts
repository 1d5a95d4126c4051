import { celEnv, CelScalar, isCelError, parse, plan } from '@bufbuild/cel';
import type { AttributeDefinition, AttributeValue } from './attributes.js';

/*
 * Conditions of the rules: CEL expressions (https://cel.dev), parsed by @bufbuild/cel (a
 * conformance-tested implementation), checked against the declared attributes and parameters,
 * and compiled once at load into plain closures over the parsed tree. Nothing is ever `eval`ed.
 *
 * Why closures and not @bufbuild/cel's own evaluator at run time: applicability is evaluated
 * for every regime of every variant, and the interpreter costs about a microsecond per
 * expression, some fifty times a hand-written predicate. The supported subset (rules/README.md)
 * is small enough to compile directly, and at load time every compiled expression is evaluated
 * side by side with @bufbuild/cel's `plan()` over a sample of attribute values: any disagreement,
 * any evaluation error (for example `.startsWith()` on an attribute that can be null) and any
 * non-boolean result is a content problem. So the closures are held to the reference
 * implementation, and a rule that only fails for some variants is caught before the start.
 *
 * Each condition comes in three forms (CompiledCondition): `folded`, with the load-time
 * parameter values built in and constant parts folded away, over `Slots` (attribute values in
 * a fixed order) — what the service runs for many variants; `general`, reading parameters from
 * its argument (a test may pass other values); and `test`, over named values for one-off calls.
 * Type checking also tracks null checks (`x != null && x >= c` compares without re-checking).
 */

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];

/** A value a condition sees or produces. */
export type CelValue = string | number | boolean | null | readonly CelValue[];

/** Named values a condition reads (attributes, or `base` and `value` of a change). */
export type Variables = Readonly<Record<string, AttributeValue>>;
/** Parameter values, bound under `params`. */
export type ParameterValues = Readonly<Record<string, CelValue>>;

/** A compiled condition over named values: pure, never throws for values the loader sampled. */
export type Predicate = (variables: Variables, params: ParameterValues) => boolean;

/** Values in the order of a scope's variables (`SlotLayout`), defaults filled in. */
export type Slots = readonly AttributeValue[];

/**
 * Where each variable sits in `Slots`. Compiled conditions read `slots[i]` rather than
 * `variables[name]`: one property lookup per variable and variant instead of one per use (a
 * keyed lookup with many different names is slow in V8).
 */
export interface SlotLayout {
  names: readonly string[];
  defaults: readonly AttributeValue[];
  index: ReadonlyMap<string, number>;
  /** Every value a slot can hold, for enum and boolean variables (null included when nullable). */
  exact: readonly (readonly AttributeValue[] | undefined)[];
  /** Classes of values, set once every condition over this layout is compiled (SlotClasses). */
  classes?: SlotClasses;
}

/**
 * Classes of attribute values such that values of one class satisfy exactly the same leaf
 * comparisons of every condition: an enum or boolean value is its own class; any other value
 * is classed by its position among all the constants leaves compare that slot with (null,
 * below the first, equal to it, between the first and the second, …). A slot without
 * classes has `radix` 0.
 */
export interface SlotClasses {
  exact: readonly (ReadonlyMap<AttributeValue, number> | undefined)[];
  ordered: readonly ({ type: 'number' | 'string'; constants: readonly (number | string)[] } | undefined)[];
  radix: readonly number[];
}

/** Each slot's class number (-1: the value has no class). */
export function classCodes(classes: SlotClasses, slots: Slots): number[] {
  const codes = new Array<number>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const value = slots[i];
    const exact = classes.exact[i];
    if (exact) {
      codes[i] = exact.get(value) ?? -1;
      continue;
    }
    const ordered = classes.ordered[i];
    if (!ordered || (value !== null && typeof value !== ordered.type)) {
      codes[i] = -1;
    } else if (value === null) {
      codes[i] = 0;
    } else {
      const constants = ordered.constants;
      let low = 0;
      let high = constants.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (constants[middle] < (value as number | string)) low = middle + 1;
        else high = middle;
      }
      codes[i] = 1 + 2 * low + (low < constants.length && constants[low] === value ? 1 : 0);
    }
  }
  return codes;
}

/**
 * How the folded form reads the variables: per slot, the constants it compares the slot with
 * (in leaves), and the slots it also reads some other way. For a slot read only through
 * leaves, a value's position among those constants decides every comparison (see
 * applicability.ts, which memoises answers by these positions).
 */
export interface SlotReads {
  constants: ReadonlyMap<number, readonly CelValue[]>;
  opaque: ReadonlySet<number>;
}

/** A compiled condition in the forms its callers need. */
export interface CompiledCondition {
  /** Over named values and any parameter values (converts; for one-off use). */
  test: Predicate;
  /** Over slots, with the load-time parameter values built in (the fast form). */
  folded: (slots: Slots) => boolean;
  /** Over slots, reading parameters from `params`. */
  general: (slots: Slots, params: ParameterValues) => boolean;
  /** The parameter values `folded` has built in. */
  defaults: ParameterValues;
  layout: SlotLayout;
  reads: SlotReads;
}

export function slotLayout(variables: ReadonlyMap<string, VariableDeclaration>): SlotLayout {
  const names = [...variables.keys()];
  const exact = names.map((n) => {
    const type = variables.get(n)?.type;
    const values = type?.values ?? (type?.base === 'bool' ? [false, true] : undefined);
    return values && (type?.nullable ? [...values, null] : values);
  });
  return {
    names,
    defaults: names.map((n) => variables.get(n)?.default ?? null),
    index: new Map(names.map((n, i) => [n, i])),
    exact,
  };
}

/** The variables' values in slot order; a missing value is the variable's default. */
export function toSlots(layout: SlotLayout, variables: Variables): AttributeValue[] {
  const { names, defaults } = layout;
  const slots = new Array<AttributeValue>(names.length);
  for (let i = 0; i < names.length; i++) {
    const value = variables[names[i]];
    slots[i] = value === undefined ? defaults[i] : value;
  }
  return slots;
}

/** Static type of a variable or parameter, as the checker knows it. */
export interface ValueType {
  base: 'bool' | 'number' | 'string' | 'list';
  nullable: boolean;
  /** Allowed values of an enum attribute. */
  values?: readonly string[];
  /** A calendar date written YYYY-MM-DD (compares correctly as a string). */
  date?: boolean;
}

export interface VariableDeclaration {
  type: ValueType;
  /** Value used when a binding is missing (an attribute's default). */
  default: AttributeValue;
  /** Representative values for the load-time check. */
  samples: readonly AttributeValue[];
  /** What to call it in messages, e.g. `attribute`. */
  noun: string;
}

export interface ParameterDeclaration {
  type: ValueType;
  value: CelValue;
}

/** What names a condition may use. */
export interface ConditionScope {
  variables: ReadonlyMap<string, VariableDeclaration>;
  parameters: ReadonlyMap<string, ParameterDeclaration>;
  parameterValues: ParameterValues;
}

/** Where a compiled expression came from, for the problems the load-time check reports. */
export interface ExpressionSite {
  report: (message: string) => void;
}

/** Raised by a compiled expression where CEL would produce an error value. */
export class CelEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelEvaluationError';
  }
}

// ---------------------------------------------------------------------------------------------
// Scope construction

const NUMBER_SAMPLES = [0, 5, 12, 24, 48, 49, 50, 74, 75, 120, 230, 400, 1000, 1001, 1500, 1501, 5000];
const DATE_SAMPLES = ['2020-01-01', '2025-07-31', '2025-08-01', '2027-01-19', '2027-01-20', '2031-06-30'];

/** The checker's view of an attribute. */
export function attributeVariable(def: AttributeDefinition): VariableDeclaration {
  const nullable = def.nullable;
  const withNull = (values: AttributeValue[]): AttributeValue[] => (nullable ? [...values, null] : values);
  switch (def.type) {
    case 'enum':
      return {
        type: { base: 'string', nullable, values: def.values ?? [] },
        default: def.default,
        samples: withNull([...(def.values ?? [])]),
        noun: 'attribute',
      };
    case 'string':
      return {
        type: { base: 'string', nullable },
        default: def.default,
        samples: withNull([def.default ?? '', 'steel', 'polycarbonate']),
        noun: 'attribute',
      };
    case 'date':
      return {
        type: { base: 'string', nullable, date: true },
        default: def.default,
        samples: withNull(DATE_SAMPLES),
        noun: 'attribute',
      };
    case 'number': {
      const inRange = NUMBER_SAMPLES.filter(
        (n) => (def.min === undefined || n >= def.min) && (def.max === undefined || n <= def.max),
      );
      return {
        type: { base: 'number', nullable },
        default: def.default,
        samples: withNull(inRange),
        noun: 'attribute',
      };
    }
    case 'boolean':
      return {
        type: { base: 'bool', nullable },
        default: def.default,
        samples: withNull([false, true]),
        noun: 'attribute',
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Checking and compiling

type Fn = (s: Slots, p: ParameterValues) => CelValue;

interface Typed {
  fn: Fn;
  /** undefined = unknown (already reported). */
  type?: ValueType | { base: 'null'; nullable: true };
  /** Known at compile time (literals). */
  constant?: { value: CelValue };
  /** The variable this node reads directly, if it is a bare identifier. */
  variable?: string;
  /** The load-time value of a parameter node (for checks only; evaluation reads `params`). */
  parameterValue?: CelValue;
  /** The slot of the variable a bare identifier reads. */
  slot?: number;
  /** Can raise a CEL error for well-typed values (then logical operators must catch it). */
  throws: boolean;
  /** A comparison of one variable with a constant, kept as data so that `!` can flip it. */
  leaf?: Leaf;
}

type AnyType = NonNullable<Typed['type']>;

/*
 * Most conditions compare one variable with a constant. Such a comparison is kept as data
 * (`Leaf`), so that `!` can flip it, and compiled to a closure of its own per operator: one
 * small monomorphic function each, which V8 runs about as fast as the comparison written by
 * hand.
 */
const enum LeafOp {
  Equal,
  NotEqual,
  Less,
  LessOrEqual,
  Greater,
  GreaterOrEqual,
  In,
  NotIn,
  StartsWith,
  NotStartsWith,
}

interface Leaf {
  op: LeafOp;
  slot: number;
  /** The constant compared with, or the set for In / NotIn. */
  value: CelValue | ReadonlySet<CelValue>;
}

const NEGATED: Record<LeafOp, LeafOp> = {
  [LeafOp.Equal]: LeafOp.NotEqual,
  [LeafOp.NotEqual]: LeafOp.Equal,
  [LeafOp.Less]: LeafOp.GreaterOrEqual,
  [LeafOp.LessOrEqual]: LeafOp.Greater,
  [LeafOp.Greater]: LeafOp.LessOrEqual,
  [LeafOp.GreaterOrEqual]: LeafOp.Less,
  [LeafOp.In]: LeafOp.NotIn,
  [LeafOp.NotIn]: LeafOp.In,
  [LeafOp.StartsWith]: LeafOp.NotStartsWith,
  [LeafOp.NotStartsWith]: LeafOp.StartsWith,
};

/** The closure of one leaf (only built for non-null values of the compared type: cannot fail). */
function leafFn(leaf: Leaf): Fn {
  const i = leaf.slot;
  const c = leaf.value;
  const set = c as ReadonlySet<CelValue>;
  // Numbers are ordered as numbers, dates (strings) by code unit, exactly as in CEL.
  switch (leaf.op) {
    case LeafOp.Equal:
      return (s) => s[i] === c;
    case LeafOp.NotEqual:
      return (s) => s[i] !== c;
    case LeafOp.Less:
      return (s) => (s[i] as number) < (c as number);
    case LeafOp.LessOrEqual:
      return (s) => (s[i] as number) <= (c as number);
    case LeafOp.Greater:
      return (s) => (s[i] as number) > (c as number);
    case LeafOp.GreaterOrEqual:
      return (s) => (s[i] as number) >= (c as number);
    case LeafOp.In:
      return (s) => set.has(s[i]);
    case LeafOp.NotIn:
      return (s) => !set.has(s[i]);
    case LeafOp.StartsWith:
      return (s) => (s[i] as string).startsWith(c as string);
    case LeafOp.NotStartsWith:
      return (s) => !(s[i] as string).startsWith(c as string);
  }
}

function leafNode(leaf: Leaf): Typed {
  return { type: BOOL, throws: false, leaf, fn: leafFn(leaf) };
}

/** Levenshtein distance, to suggest the name an author probably meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** ` (did you mean 'x'?)` when a candidate is close to `name`, else an empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean '${best}'?)`
    : '';
}

function describe(type: AnyType | undefined): string {
  if (!type) return 'unknown';
  if (type.base === 'null') return 'null';
  const base =
    type.base === 'bool'
      ? 'boolean'
      : type.base === 'string' && 'date' in type && type.date
        ? 'date'
        : type.base;
  return base;
}

function literal(value: CelValue): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function celTypeName(value: CelValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'number' ? 'double' : 'string';
}

function requireBool(value: CelValue, op: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new CelEvaluationError(`no matching overload for '${op}' applied to ${celTypeName(value)}`);
}

const ORDERING = {
  '_<_': (a: number | string, b: number | string) => a < b,
  '_<=_': (a: number | string, b: number | string) => a <= b,
  '_>_': (a: number | string, b: number | string) => a > b,
  '_>=_': (a: number | string, b: number | string) => a >= b,
} as const;

/** The same comparison with its operands swapped: `c < x` is `x > c`. */
const FLIPPED = {
  '_<_': '_>_',
  '_<=_': '_>=_',
  '_>_': '_<_',
  '_>=_': '_<=_',
} as const;

const OPERATOR_WORDS: Record<string, string> = {
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
  '_==_': '==',
  '_!=_': '!=',
};

const BOOL: AnyType = { base: 'bool', nullable: false };
const NO_SLOTS: Slots = Object.freeze([]);
const NO_PARAMS: ParameterValues = Object.freeze({});

/** Variables a condition proves non-null when it is true (`whenTrue`) or false. */
function nullChecks(expr: Expr | undefined, outcome: boolean): Set<string> {
  const found = new Set<string>();
  const visit = (e: Expr | undefined, when: boolean): void => {
    if (e?.exprKind.case !== 'callExpr') return;
    const { function: fn, args } = e.exprKind.value;
    const identOf = (x: Expr | undefined) =>
      x?.exprKind.case === 'identExpr' ? x.exprKind.value.name : undefined;
    const isNull = (x: Expr | undefined) =>
      x?.exprKind.case === 'constExpr' && x.exprKind.value.constantKind.case === 'nullValue';
    if ((fn === '_!=_' && when) || (fn === '_==_' && !when)) {
      const name = isNull(args[1]) ? identOf(args[0]) : isNull(args[0]) ? identOf(args[1]) : undefined;
      if (name) found.add(name);
    } else if ((fn === '_&&_' && when) || (fn === '_||_' && !when)) {
      visit(args[0], when);
      visit(args[1], when);
    } else if (fn === '!_') {
      visit(args[0], !when);
    }
  };
  visit(expr, outcome);
  return found;
}

/**
 * Checks one parsed expression and builds its closure. With `fold`, parameters are the
 * load-time constants and folded away; without, they are read from `params` at each call.
 * Every node knows whether it can raise a CEL error for well-typed attribute values
 * (`throws`); nodes that cannot are compiled to plain short-circuiting closures.
 */
class Compiler {
  readonly problems: string[] = [];
  readonly variablesUsed = new Set<string>();
  /** Per slot: how often it is read, how often through a leaf, and the leaves' constants. */
  private readonly reads = new Map<number, number>();
  private readonly leafReads = new Map<number, number>();
  private readonly leafConstants = new Map<number, CelValue[]>();

  /** How the compiled expression reads its variables (SlotReads). */
  slotReads(): SlotReads {
    const opaque = new Set<number>();
    for (const [slot, count] of this.reads) {
      if (count > (this.leafReads.get(slot) ?? 0)) opaque.add(slot);
    }
    return { constants: this.leafConstants, opaque };
  }

  /** A leaf over a variable node: the variable is read through it. */
  private leafOf(leaf: Leaf, constants: readonly CelValue[]): Typed {
    this.leafReads.set(leaf.slot, (this.leafReads.get(leaf.slot) ?? 0) + 1);
    const known = this.leafConstants.get(leaf.slot) ?? [];
    this.leafConstants.set(leaf.slot, [...known, ...constants]);
    return leafNode(leaf);
  }
  /** Variables known not to be null where the current node is evaluated (x != null && …). */
  private nonNull = new Set<string>();

  constructor(
    private readonly scope: ConditionScope,
    private readonly layout: SlotLayout,
    private readonly positions: Map<bigint, number>,
    private readonly fold: boolean,
  ) {}

  private problem(expr: Expr, message: string): void {
    const at = this.positions.get(expr.id);
    this.problems.push(at === undefined ? message : `${message} (at character ${at + 1})`);
  }

  private invalid(expr: Expr, message: string): Typed {
    this.problem(expr, message);
    return { fn: () => null, throws: true };
  }

  /** A node whose operands are all constant is evaluated once, unless that raises an error. */
  private constantOf(node: Typed, operands: Typed[]): Typed {
    if (!operands.every((o) => o.constant)) return node;
    try {
      const value = node.fn(NO_SLOTS, NO_PARAMS);
      return { fn: () => value, type: node.type, constant: { value }, throws: false };
    } catch {
      return node;
    }
  }

  private withNonNull<T>(names: Set<string>, compile: () => T): T {
    if (names.size === 0) return compile();
    const saved = this.nonNull;
    this.nonNull = new Set([...saved, ...names]);
    try {
      return compile();
    } finally {
      this.nonNull = saved;
    }
  }

  compile(expr: Expr): Typed {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return this.constant(expr, kind.value.constantKind);
      case 'identExpr':
        return this.identifier(expr, kind.value.name);
      case 'selectExpr':
        return this.select(expr, kind.value);
      case 'listExpr':
        return this.list(kind.value.elements);
      case 'callExpr':
        return this.call(expr, kind.value);
      default:
        return this.invalid(
          expr,
          `${kind.case ?? 'this construct'} is outside the supported CEL subset (see rules/README.md)`,
        );
    }
  }

  private constant(
    expr: Expr,
    c: Extract<Expr['exprKind'], { case: 'constExpr' }>['value']['constantKind'],
  ): Typed {
    let value: CelValue;
    let type: AnyType;
    switch (c.case) {
      case 'boolValue':
        value = c.value;
        type = BOOL;
        break;
      case 'int64Value':
      case 'uint64Value':
        value = Number(c.value);
        type = { base: 'number', nullable: false };
        break;
      case 'doubleValue':
        value = c.value;
        type = { base: 'number', nullable: false };
        break;
      case 'stringValue':
        value = c.value;
        type = { base: 'string', nullable: false };
        break;
      case 'nullValue':
        value = null;
        type = { base: 'null', nullable: true };
        break;
      default:
        return this.invalid(expr, `${c.case ?? 'this'} literals are outside the supported CEL subset`);
    }
    return { fn: () => value, type, constant: { value }, throws: false };
  }

  private identifier(expr: Expr, name: string): Typed {
    if (name === 'params') {
      return this.invalid(
        expr,
        "'params' alone is not a value: name a parameter, e.g. params.mrApplicationDate",
      );
    }
    const declaration = this.scope.variables.get(name);
    if (!declaration) {
      const nouns = new Set([...this.scope.variables.values()].map((v) => v.noun));
      const noun = nouns.size === 1 ? [...nouns][0] : 'variable';
      return this.invalid(expr, `unknown ${noun} '${name}'${didYouMean(name, this.scope.variables.keys())}`);
    }
    this.variablesUsed.add(name);
    const slot = this.layout.index.get(name) ?? -1;
    this.reads.set(slot, (this.reads.get(slot) ?? 0) + 1);
    const type = this.nonNull.has(name) ? { ...declaration.type, nullable: false } : declaration.type;
    // A boolean attribute used as a condition is the comparison `x == true`.
    const leaf: Leaf | undefined =
      type.base === 'bool' && !type.nullable ? { op: LeafOp.Equal, slot, value: true } : undefined;
    return { fn: (s) => s[slot], type, variable: name, slot, throws: false, ...(leaf ? { leaf } : {}) };
  }

  private select(expr: Expr, select: Extract<Expr['exprKind'], { case: 'selectExpr' }>['value']): Typed {
    const operand = select.operand?.exprKind;
    if (select.testOnly) return this.invalid(expr, 'has() is outside the supported CEL subset');
    if (operand?.case !== 'identExpr' || operand.value.name !== 'params') {
      return this.invalid(
        expr,
        `'.${select.field}': only parameters have fields (params.<name>); attributes are plain values`,
      );
    }
    const name = select.field;
    const declaration = this.scope.parameters.get(name);
    if (!declaration) {
      return this.invalid(
        expr,
        `unknown parameter '${name}'${didYouMean(name, this.scope.parameters.keys())}`,
      );
    }
    const loadValue = this.scope.parameterValues[name];
    if (this.fold) {
      return { fn: () => loadValue, type: declaration.type, constant: { value: loadValue }, throws: false };
    }
    return {
      fn: (_s, p) => {
        const value = p[name];
        if (value === undefined) throw new CelEvaluationError(`no such parameter: ${name}`);
        return value;
      },
      type: declaration.type,
      parameterValue: loadValue,
      throws: true,
    };
  }

  private list(elements: Expr[]): Typed {
    const items = elements.map((e) => this.compile(e));
    const type: AnyType = { base: 'list', nullable: false };
    if (items.every((i) => i.constant)) {
      const value = items.map((i) => i.constant?.value ?? null);
      return { fn: () => value, type, constant: { value }, throws: false };
    }
    const fns = items.map((i) => i.fn);
    return { fn: (s, p) => fns.map((f) => f(s, p)), type, throws: items.some((i) => i.throws) };
  }

  private call(expr: Expr, call: Extract<Expr['exprKind'], { case: 'callExpr' }>['value']): Typed {
    const name = call.function;
    if (call.target) {
      const target = this.compile(call.target);
      const args = call.args.map((a) => this.compile(a));
      return this.method(expr, name, target, args);
    }
    if (name === '_&&_' || name === '_||_') {
      // The right operand only matters when the left one is true (&&) or false (||), so what
      // the left one proves about null checks holds there.
      const left = this.compile(call.args[0]);
      const right = this.withNonNull(nullChecks(call.args[0], name === '_&&_'), () =>
        this.compile(call.args[1]),
      );
      return this.logical(expr, name, left, right);
    }
    if (name === '_?_:_') {
      const test = this.compile(call.args[0]);
      const yes = this.withNonNull(nullChecks(call.args[0], true), () => this.compile(call.args[1]));
      const no = this.withNonNull(nullChecks(call.args[0], false), () => this.compile(call.args[2]));
      return this.conditional(expr, test, yes, no);
    }
    const args = call.args.map((a) => this.compile(a));
    switch (name) {
      case '!_':
        return this.not(expr, args[0]);
      case '_==_':
      case '_!=_':
        return this.equality(expr, name, args[0], args[1]);
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_':
        return this.ordering(expr, name, args[0], args[1]);
      case '@in':
        return this.membership(expr, args[0], args[1]);
      case '-_':
        return this.negate(expr, args[0]);
      case 'size':
        if (args.length !== 1) return this.invalid(expr, 'size() takes one argument');
        return this.size(expr, args[0]);
      default:
        return this.invalid(
          expr,
          `function '${name}' is outside the supported CEL subset (see rules/README.md)`,
        );
    }
  }

  private expectBool(expr: Expr, operand: Typed, what: string): void {
    if (operand.type && operand.type.base !== 'bool') {
      this.problem(expr, `${what} needs true/false, got a ${describe(operand.type)}`);
    } else if (operand.type?.nullable) {
      this.problem(
        expr,
        `${what}: the attribute can be null; compare it explicitly, e.g. '${operand.variable ?? 'x'} == true'`,
      );
    }
  }

  private logical(expr: Expr, name: '_&&_' | '_||_', left: Typed, right: Typed): Typed {
    const and = name === '_&&_';
    this.expectBool(expr, left, and ? '&&' : '||');
    this.expectBool(expr, right, and ? '&&' : '||');
    // CEL's logical operators are commutative over errors (false && error is false), so a
    // constant that decides the result decides it on either side.
    const decisive = !and;
    if (left.constant?.value === decisive || right.constant?.value === decisive) {
      return { fn: () => decisive, type: BOOL, constant: { value: decisive }, throws: false };
    }
    if (left.constant?.value === !decisive) return right;
    if (right.constant?.value === !decisive) return left;
    const l = left.fn;
    const r = right.fn;
    if (!left.throws && !right.throws) {
      return and
        ? { type: BOOL, throws: false, fn: (s, p) => (l(s, p) as boolean) && (r(s, p) as boolean) }
        : { type: BOOL, throws: false, fn: (s, p) => (l(s, p) as boolean) || (r(s, p) as boolean) };
    }
    return {
      type: BOOL,
      throws: true,
      fn: (s, p) => {
        let a: CelValue;
        try {
          a = l(s, p);
        } catch (error) {
          if (r(s, p) === decisive) return decisive;
          throw error;
        }
        if (a === decisive) return decisive;
        const b = r(s, p);
        if (b === decisive) return decisive;
        if (a === !decisive && b === !decisive) return !decisive;
        throw new CelEvaluationError(`no matching overload for '${and ? '&&' : '||'}'`);
      },
    };
  }

  private not(expr: Expr, operand: Typed): Typed {
    this.expectBool(expr, operand, '!');
    if (operand.leaf) return leafNode({ ...operand.leaf, op: NEGATED[operand.leaf.op] });
    const f = operand.fn;
    const node: Typed = operand.throws
      ? { type: BOOL, throws: true, fn: (s, p) => !requireBool(f(s, p), '!') }
      : { type: BOOL, throws: false, fn: (s, p) => !(f(s, p) as boolean) };
    return this.constantOf(node, [operand]);
  }

  private conditional(expr: Expr, test: Typed, yes: Typed, no: Typed): Typed {
    this.expectBool(expr, test, 'the condition of ? :');
    if (
      yes.type &&
      no.type &&
      yes.type.base !== no.type.base &&
      yes.type.base !== 'null' &&
      no.type.base !== 'null'
    ) {
      this.problem(
        expr,
        `the branches of ? : differ in type (${describe(yes.type)} and ${describe(no.type)})`,
      );
    }
    if (test.constant?.value === true) return yes;
    if (test.constant?.value === false) return no;
    const base = yes.type && yes.type.base !== 'null' ? yes.type : no.type;
    const type = base && ({ ...base, nullable: !!(yes.type?.nullable || no.type?.nullable) } as AnyType);
    const t = test.fn;
    const a = yes.fn;
    const b = no.fn;
    return test.throws
      ? { type, throws: true, fn: (s, p) => (requireBool(t(s, p), '?:') ? a(s, p) : b(s, p)) }
      : { type, throws: yes.throws || no.throws, fn: (s, p) => (t(s, p) ? a(s, p) : b(s, p)) };
  }

  /** Checks a string literal against an enum or date attribute it is compared with. */
  private checkValue(expr: Expr, typed: Typed, value: CelValue): void {
    const type = typed.type;
    if (!type || type.base !== 'string' || typeof value !== 'string') return;
    const name = typed.variable ?? 'the value';
    if ('values' in type && type.values && !type.values.includes(value)) {
      this.problem(
        expr,
        `${literal(value)} is not a value of ${name}${didYouMean(value, type.values)}; allowed: ${type.values.join(', ')}`,
      );
    }
    if ('date' in type && type.date && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      this.problem(expr, `${literal(value)} is not a date YYYY-MM-DD (${name} is a date)`);
    }
  }

  private equality(expr: Expr, name: '_==_' | '_!=_', left: Typed, right: Typed): Typed {
    const lt = left.type;
    const rt = right.type;
    if (lt && rt) {
      if (lt.base === 'list' || rt.base === 'list') {
        this.problem(expr, 'comparing lists with == or != is outside the supported CEL subset');
      } else if (lt.base !== rt.base && lt.base !== 'null' && rt.base !== 'null') {
        this.problem(expr, `compares a ${describe(lt)} with a ${describe(rt)}: never equal`);
      } else if ((lt.base === 'null' && !rt.nullable) || (rt.base === 'null' && !lt.nullable)) {
        const variable = left.variable ?? right.variable;
        if (!variable || !this.nonNull.has(variable)) {
          this.problem(
            expr,
            `${variable ?? 'the value'} is never null; comparing it with null is always ${name === '_==_' ? 'false' : 'true'}`,
          );
        }
      }
    }
    if (right.constant) this.checkValue(expr, left, right.constant.value);
    if (left.constant) this.checkValue(expr, right, left.constant.value);
    const equal = name === '_==_';
    const [variable, constant] = left.slot !== undefined ? [left, right] : [right, left];
    if (variable.slot !== undefined && constant.constant) {
      const value = constant.constant.value;
      const op = equal ? LeafOp.Equal : LeafOp.NotEqual;
      return this.leafOf({ op, slot: variable.slot, value }, [value]);
    }
    const l = left.fn;
    const r = right.fn;
    const node: Typed = equal
      ? { type: BOOL, throws: left.throws || right.throws, fn: (s, p) => l(s, p) === r(s, p) }
      : { type: BOOL, throws: left.throws || right.throws, fn: (s, p) => l(s, p) !== r(s, p) };
    return this.constantOf(node, [left, right]);
  }

  private ordering(expr: Expr, name: keyof typeof ORDERING, left: Typed, right: Typed): Typed {
    const op = OPERATOR_WORDS[name];
    for (const side of [left, right]) {
      const t = side.type;
      if (!t) continue;
      if (t.base !== 'number' && t.base !== 'string') {
        this.problem(expr, `'${op}' compares numbers or dates, not a ${describe(t)}`);
      } else if ('values' in t && t.values) {
        this.problem(
          expr,
          `'${op}' on ${side.variable ?? 'an enum value'} would compare the names alphabetically; use == or in`,
        );
      }
    }
    const sameType =
      !!left.type && !!right.type && left.type.base === right.type.base && left.type.base !== 'null';
    if (left.type && right.type && !sameType && left.type.base !== 'null' && right.type.base !== 'null') {
      this.problem(expr, `'${op}' compares a ${describe(left.type)} with a ${describe(right.type)}`);
    }
    if (right.constant) this.checkValue(expr, left, right.constant.value);
    if (left.constant) this.checkValue(expr, right, left.constant.value);

    // A non-null variable against a constant of its type cannot fail: compare directly.
    // (JavaScript orders two numbers, and two strings by code unit, as CEL does here.)
    const flipped = left.slot === undefined;
    const variable = flipped ? right : left;
    const constant = flipped ? left : right;
    if (sameType && variable.slot !== undefined && constant.constant && !variable.type?.nullable) {
      const effective = flipped ? FLIPPED[name] : name;
      const op =
        effective === '_<_'
          ? LeafOp.Less
          : effective === '_<=_'
            ? LeafOp.LessOrEqual
            : effective === '_>_'
              ? LeafOp.Greater
              : LeafOp.GreaterOrEqual;
      const value = constant.constant.value;
      return this.leafOf({ op, slot: variable.slot, value }, [value]);
    }
    const compare = ORDERING[name];
    const l = left.fn;
    const r = right.fn;
    const node: Typed = {
      type: BOOL,
      throws: true,
      fn: (s, p) => {
        const a = l(s, p);
        const b = r(s, p);
        if (
          (typeof a === 'number' && typeof b === 'number') ||
          (typeof a === 'string' && typeof b === 'string')
        ) {
          return compare(a, b);
        }
        throw new CelEvaluationError(
          `no matching overload for '${op}' applied to (${celTypeName(a)}, ${celTypeName(b)})`,
        );
      },
    };
    return this.constantOf(node, [left, right]);
  }

  private membership(expr: Expr, element: Typed, container: Typed): Typed {
    if (container.type && container.type.base !== 'list') {
      this.problem(expr, `'in' needs a list on its right, got a ${describe(container.type)}`);
    }
    const listed = container.constant?.value ?? container.parameterValue;
    if (Array.isArray(listed)) {
      for (const value of listed as CelValue[]) {
        this.checkValue(expr, element, value);
        if (
          element.type &&
          value !== null &&
          element.type.base !== 'null' &&
          celBase(value) !== element.type.base
        ) {
          this.problem(
            expr,
            `the list holds a ${celBase(value)} but ${element.variable ?? 'the value'} is a ${describe(element.type)}`,
          );
        }
      }
    }
    const e = element.fn;
    if (container.constant && Array.isArray(container.constant.value)) {
      const set = new Set<CelValue>(container.constant.value as CelValue[]);
      if (element.slot !== undefined) {
        return this.leafOf({ op: LeafOp.In, slot: element.slot, value: set }, [...set]);
      }
      return this.constantOf({ type: BOOL, throws: element.throws, fn: (s, p) => set.has(e(s, p)) }, [
        element,
      ]);
    }
    const c = container.fn;
    return {
      type: BOOL,
      throws: true,
      fn: (s, p) => {
        const list = c(s, p);
        if (!Array.isArray(list)) throw new CelEvaluationError("no matching overload for 'in'");
        return (list as CelValue[]).includes(e(s, p));
      },
    };
  }

  private negate(expr: Expr, operand: Typed): Typed {
    if (operand.type && operand.type.base !== 'number') {
      this.problem(expr, `'-' needs a number, got a ${describe(operand.type)}`);
    }
    const f = operand.fn;
    const node: Typed = {
      type: { base: 'number', nullable: false },
      throws: true,
      fn: (s, p) => {
        const value = f(s, p);
        if (typeof value !== 'number') throw new CelEvaluationError("no matching overload for '-'");
        return -value;
      },
    };
    return this.constantOf(node, [operand]);
  }

  private size(expr: Expr, operand: Typed): Typed {
    if (operand.type && operand.type.base !== 'string' && operand.type.base !== 'list') {
      this.problem(expr, `size() needs a string or a list, got a ${describe(operand.type)}`);
    }
    const f = operand.fn;
    const node: Typed = {
      type: { base: 'number', nullable: false },
      throws: true,
      fn: (s, p) => {
        const value = f(s, p);
        if (typeof value === 'string') return [...value].length;
        if (Array.isArray(value)) return value.length;
        throw new CelEvaluationError(`no matching overload for 'size' applied to ${celTypeName(value)}`);
      },
    };
    return this.constantOf(node, [operand]);
  }

  private method(expr: Expr, name: string, target: Typed, args: Typed[]): Typed {
    if (name === 'size' && args.length === 0) return this.size(expr, target);
    if ((name === 'startsWith' || name === 'endsWith' || name === 'contains') && args.length === 1) {
      const [arg] = args;
      if (target.type && target.type.base !== 'string') {
        this.problem(expr, `${name}() needs a string, got a ${describe(target.type)}`);
      }
      if (arg.type && arg.type.base !== 'string') this.problem(expr, `${name}() takes a string argument`);
      const probe = arg.constant?.value;
      const values = target.type && 'values' in target.type ? target.type.values : undefined;
      if (values && typeof probe === 'string' && !values.some((v) => stringTest(name, v, probe))) {
        this.problem(
          expr,
          `no value of ${target.variable ?? 'the attribute'} satisfies ${name}(${literal(probe)})`,
        );
      }
      if (
        name === 'startsWith' &&
        target.slot !== undefined &&
        target.type?.base === 'string' &&
        !target.type.nullable &&
        typeof probe === 'string'
      ) {
        const leaf: Leaf = { op: LeafOp.StartsWith, slot: target.slot, value: probe };
        // A prefix test splits values by more than their order: only exact-valued (enum)
        // variables count as read through it.
        return this.layout.exact[target.slot] ? this.leafOf(leaf, []) : leafNode(leaf);
      }
      const t = target.fn;
      const a = arg.fn;
      const node: Typed = {
        type: BOOL,
        throws: true,
        fn: (s, p) => {
          const text = t(s, p);
          const x = a(s, p);
          if (typeof text !== 'string' || typeof x !== 'string') {
            throw new CelEvaluationError(
              `no matching overload for '${name}' applied to ${celTypeName(text)}.(${celTypeName(x)})`,
            );
          }
          return stringTest(name, text, x);
        },
      };
      return this.constantOf(node, [target, arg]);
    }
    return this.invalid(expr, `method '${name}' is outside the supported CEL subset (see rules/README.md)`);
  }
}

function celBase(value: CelValue): 'bool' | 'number' | 'string' | 'list' | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'number' : 'string';
}

function stringTest(name: string, s: string, x: string): boolean {
  return name === 'startsWith' ? s.startsWith(x) : name === 'endsWith' ? s.endsWith(x) : s.includes(x);
}

// ---------------------------------------------------------------------------------------------
// Load-time reference check

interface Compiled {
  source: string;
  reads: SlotReads;
  /** The folded and the general form, both checked. */
  forms: ((slots: Slots, params: ParameterValues) => boolean)[];
  variablesUsed: string[];
  parsed: ParsedExpr;
  site: ExpressionSite;
}

/** A small deterministic generator, so the load-time sample is the same on every start. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The defaults, each variable varied alone, then random combinations; at most `limit`. */
export function sampleVariables(
  variables: ReadonlyMap<string, VariableDeclaration>,
  limit = 400,
): Variables[] {
  const defaults: Record<string, AttributeValue> = {};
  for (const [name, declaration] of variables) defaults[name] = declaration.default;
  const samples: Variables[] = [defaults];
  for (const [name, declaration] of variables) {
    for (const value of declaration.samples) samples.push({ ...defaults, [name]: value });
  }
  const random = generator(20270120);
  const entries = [...variables];
  while (samples.length < limit) {
    const sample: Record<string, AttributeValue> = {};
    for (const [name, declaration] of entries) {
      sample[name] =
        declaration.samples[Math.floor(random() * declaration.samples.length)] ?? declaration.default;
    }
    samples.push(sample);
  }
  return samples.slice(0, Math.max(limit, variables.size + 1));
}

function formatSample(sample: Variables, names: string[]): string {
  return names.map((n) => `${n}=${JSON.stringify(sample[n])}`).join(', ');
}

/**
 * Compiles the conditions of one scope. `compile` checks and compiles one expression;
 * `verify` then runs every compiled expression beside @bufbuild/cel over sampled values.
 */
export class ConditionCompiler {
  /** SlotClasses from the leaves of every condition compiled so far. */
  private classify(): SlotClasses {
    const constants = new Map<number, CelValue[]>();
    for (const entry of this.compiled) {
      for (const [slot, values] of entry.reads.constants) {
        constants.set(slot, [...(constants.get(slot) ?? []), ...values]);
      }
    }
    const { names, exact } = this.layout;
    const classes = {
      exact: names.map((_, i) => (exact[i] ? new Map(exact[i].map((v, k) => [v, k])) : undefined)),
      ordered: names.map((_, i) => {
        if (exact[i]) return undefined;
        const values = [...new Set(constants.get(i) ?? [])].filter((v) => v !== null);
        const type = typeof values[0] === 'number' ? 'number' : 'string';
        if (!values.every((v) => typeof v === type)) return undefined;
        const sorted = (values as (number | string)[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return { type, constants: sorted } as const;
      }),
      radix: [] as number[],
    };
    classes.radix = names.map((_, i) =>
      exact[i] ? exact[i].length : classes.ordered[i] ? 2 * classes.ordered[i].constants.length + 2 : 0,
    );
    return classes;
  }

  private readonly compiled: Compiled[] = [];
  readonly layout: SlotLayout;

  constructor(readonly scope: ConditionScope) {
    this.layout = slotLayout(scope.variables);
  }

  /** Compiles `source`; problems go to `site.report`. Returns undefined when it cannot. */
  compile(source: string, site: ExpressionSite): CompiledCondition | undefined {
    let parsed: ParsedExpr;
    try {
      parsed = parse(source);
    } catch (error) {
      const message = (error as Error).message.replace(/^<input>:/, 'line ');
      site.report(`not a valid CEL expression: ${message}`);
      return undefined;
    }
    const positions = new Map<bigint, number>();
    for (const [id, offset] of Object.entries(parsed.sourceInfo?.positions ?? {})) {
      positions.set(BigInt(id), offset);
    }
    const layout = this.layout;
    const compiler = new Compiler(this.scope, layout, positions, false);
    const root = compiler.compile(parsed.expr);
    if (root.type && (root.type.base !== 'bool' || root.type.nullable)) {
      compiler.problems.push(`must be true or false, but it is a ${describe(root.type)}`);
    }
    if (compiler.problems.length > 0) {
      for (const problem of compiler.problems) site.report(problem);
      return undefined;
    }
    // Two forms: `general` reads parameters from its argument (any values, e.g. a test's);
    // `folded` has the load-time parameter values built in and is the one the service runs.
    const defaults = this.scope.parameterValues;
    let reads: SlotReads = { constants: new Map(), opaque: new Set() };
    const forms = (slotsOf: SlotLayout, first?: Fn) => {
      const generalFn = first ?? new Compiler(this.scope, slotsOf, positions, false).compile(parsed.expr).fn;
      const foldedCompiler = new Compiler(this.scope, slotsOf, positions, true);
      const foldedFn = foldedCompiler.compile(parsed.expr).fn;
      if (slotsOf === layout) reads = foldedCompiler.slotReads();
      return {
        folded: foldedFn as (slots: Slots) => boolean,
        general: (slots: Slots, p: ParameterValues): boolean => {
          const result = generalFn(slots, p);
          if (typeof result !== 'boolean') {
            throw new CelEvaluationError(`'${source}' did not yield true or false`);
          }
          return result;
        },
      };
    };
    // Over the shared layout for bulk evaluation, and over a layout of just the variables the
    // condition reads for one-off calls (converting one or two values, not all of them).
    const { folded, general } = forms(layout, root.fn);
    const own = slotLayout(
      new Map([...this.scope.variables].filter(([name]) => compiler.variablesUsed.has(name))),
    );
    const single = forms(own);
    const test: Predicate = (v, p) =>
      p === defaults ? single.folded(toSlots(own, v)) : single.general(toSlots(own, v), p);
    const compiled: CompiledCondition = { test, folded, general, defaults, layout, reads };
    this.compiled.push({
      source,
      reads,
      forms: [
        (slots) => folded(slots),
        general,
        (slots, p) => test(Object.fromEntries(layout.names.map((n, i) => [n, slots[i]])), p),
        (slots, p) => test(Object.fromEntries(layout.names.map((n, i) => [n, slots[i]])), { ...p }),
      ],
      variablesUsed: [...compiler.variablesUsed].sort(),
      parsed,
      site,
    });
    return compiled;
  }

  /**
   * Evaluates every compiled expression over sampled values with both the compiled closure and
   * @bufbuild/cel's planner. Reports expressions that fail to evaluate, do not give a boolean,
   * or (which would be a bug in the compiler) give a different answer.
   */
  verify(samples: Variables[] = sampleVariables(this.scope.variables)): void {
    this.layout.classes = this.classify();
    const declarations: Record<string, typeof CelScalar.DYN> = { params: CelScalar.DYN };
    for (const name of this.scope.variables.keys()) declarations[name] = CelScalar.DYN;
    const env = celEnv({ variables: declarations });
    const params = this.scope.parameterValues;
    const bindings = samples.map((sample) => ({ ...sample, params }));
    const slots = samples.map((sample) => toSlots(this.layout, sample));
    for (const entry of this.compiled) {
      const reference = plan(env, entry.parsed);
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i];
        const expected = reference(bindings[i] as never);
        let actual: boolean | Error = expected as boolean;
        // The forms over named values share the slot forms' code: a few samples suffice.
        const forms = i < 50 ? entry.forms : entry.forms.slice(0, 2);
        for (const form of forms) {
          try {
            actual = form(slots[i], params);
          } catch (error) {
            actual = error as Error;
          }
          if (actual !== expected) break;
        }
        if (actual === expected) continue;
        const where =
          entry.variablesUsed.length > 0 ? ` when ${formatSample(sample, entry.variablesUsed)}` : '';
        if (isCelError(expected)) {
          entry.site.report(
            `cannot be evaluated${where}: ${expected.message}; guard it, e.g. 'x != null && ...'`,
          );
          break;
        }
        if (typeof expected !== 'boolean') {
          entry.site.report(`does not yield true or false${where}`);
          break;
        }
        if (actual !== expected) {
          entry.site.report(
            `internal: the compiled form gives ${actual instanceof Error ? actual.message : String(actual)} but CEL gives ${String(expected)}${where}`,
          );
          break;
        }
      }
    }
  }
}
