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
 */

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];

/** A value a condition sees or produces. */
export type CelValue = string | number | boolean | null | readonly CelValue[];

/** Named values a condition reads (attributes, or `base` and `value` of a change). */
export type Variables = Readonly<Record<string, AttributeValue>>;
/** Parameter values, bound under `params`. */
export type ParameterValues = Readonly<Record<string, CelValue>>;

/** A compiled condition: pure, fast, never throws for values the loader sampled. */
export type Predicate = (variables: Variables, params: ParameterValues) => boolean;

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

type Fn = (v: Variables, p: ParameterValues) => CelValue;

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
}

type AnyType = NonNullable<Typed['type']>;

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

const OPERATOR_WORDS: Record<string, string> = {
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
  '_==_': '==',
  '_!=_': '!=',
};

class Compiler {
  readonly problems: string[] = [];
  readonly variablesUsed = new Set<string>();

  constructor(
    private readonly scope: ConditionScope,
    private readonly positions: Map<bigint, number>,
  ) {}

  private problem(expr: Expr, message: string): void {
    const at = this.positions.get(expr.id);
    this.problems.push(at === undefined ? message : `${message} (at character ${at + 1})`);
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
        this.problem(
          expr,
          `${kind.case ?? 'this construct'} is outside the supported CEL subset (see rules/README.md)`,
        );
        return { fn: () => null };
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
        type = { base: 'bool', nullable: false };
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
        this.problem(expr, `${c.case ?? 'this'} literals are outside the supported CEL subset`);
        return { fn: () => null };
    }
    return { fn: () => value, type, constant: { value } };
  }

  private identifier(expr: Expr, name: string): Typed {
    if (name === 'params') {
      this.problem(expr, "'params' alone is not a value: name a parameter, e.g. params.mrApplicationDate");
      return { fn: () => null };
    }
    const declaration = this.scope.variables.get(name);
    if (!declaration) {
      const nouns = new Set([...this.scope.variables.values()].map((v) => v.noun));
      const noun = nouns.size === 1 ? [...nouns][0] : 'variable';
      this.problem(expr, `unknown ${noun} '${name}'${didYouMean(name, this.scope.variables.keys())}`);
      return { fn: () => null };
    }
    this.variablesUsed.add(name);
    const fallback = declaration.default;
    return {
      fn: (v) => {
        const value = v[name];
        return value === undefined ? fallback : value;
      },
      type: declaration.type,
      variable: name,
    };
  }

  private select(expr: Expr, select: Extract<Expr['exprKind'], { case: 'selectExpr' }>['value']): Typed {
    const operand = select.operand?.exprKind;
    if (select.testOnly) {
      this.problem(expr, 'has() is outside the supported CEL subset');
      return { fn: () => null };
    }
    if (operand?.case !== 'identExpr' || operand.value.name !== 'params') {
      this.problem(
        expr,
        `'.${select.field}': only parameters have fields (params.<name>); attributes are plain values`,
      );
      return { fn: () => null };
    }
    const name = select.field;
    const declaration = this.scope.parameters.get(name);
    if (!declaration) {
      this.problem(expr, `unknown parameter '${name}'${didYouMean(name, this.scope.parameters.keys())}`);
      return { fn: () => null };
    }
    return {
      fn: (_v, p) => {
        const value = p[name];
        if (value === undefined) throw new CelEvaluationError(`no such parameter: ${name}`);
        return value;
      },
      type: declaration.type,
      parameterValue: this.scope.parameterValues[name],
    };
  }

  private list(elements: Expr[]): Typed {
    const items = elements.map((e) => this.compile(e));
    if (items.every((i) => i.constant)) {
      const value = items.map((i) => i.constant?.value ?? null);
      return { fn: () => value, type: { base: 'list', nullable: false }, constant: { value } };
    }
    const fns = items.map((i) => i.fn);
    return { fn: (v, p) => fns.map((f) => f(v, p)), type: { base: 'list', nullable: false } };
  }

  private call(expr: Expr, call: Extract<Expr['exprKind'], { case: 'callExpr' }>['value']): Typed {
    const name = call.function;
    if (call.target) {
      const target = this.compile(call.target);
      const args = call.args.map((a) => this.compile(a));
      return this.method(expr, name, target, args);
    }
    const args = call.args.map((a) => this.compile(a));
    switch (name) {
      case '_&&_':
      case '_||_':
        return this.logical(expr, name, args[0], args[1]);
      case '!_':
        return this.not(expr, args[0]);
      case '_?_:_':
        return this.conditional(expr, args[0], args[1], args[2]);
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
        return this.size(expr, args[0]);
      default:
        this.problem(expr, `function '${name}' is outside the supported CEL subset (see rules/README.md)`);
        return { fn: () => null };
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
    this.expectBool(expr, left, name === '_&&_' ? '&&' : '||');
    this.expectBool(expr, right, name === '_&&_' ? '&&' : '||');
    const l = left.fn;
    const r = right.fn;
    const type: AnyType = { base: 'bool', nullable: false };
    // CEL's logical operators are commutative over errors: false && error is false.
    if (name === '_&&_') {
      return {
        type,
        fn: (v, p) => {
          let a: CelValue;
          try {
            a = l(v, p);
          } catch (error) {
            if (r(v, p) === false) return false;
            throw error;
          }
          if (a === false) return false;
          const b = r(v, p);
          if (b === false) return false;
          if (a === true && b === true) return true;
          throw new CelEvaluationError("no matching overload for '&&'");
        },
      };
    }
    return {
      type,
      fn: (v, p) => {
        let a: CelValue;
        try {
          a = l(v, p);
        } catch (error) {
          if (r(v, p) === true) return true;
          throw error;
        }
        if (a === true) return true;
        const b = r(v, p);
        if (b === true) return true;
        if (a === false && b === false) return false;
        throw new CelEvaluationError("no matching overload for '||'");
      },
    };
  }

  private not(expr: Expr, operand: Typed): Typed {
    this.expectBool(expr, operand, '!');
    const f = operand.fn;
    return { type: { base: 'bool', nullable: false }, fn: (v, p) => !requireBool(f(v, p), '!') };
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
    const t = test.fn;
    const a = yes.fn;
    const b = no.fn;
    return { type: yes.type ?? no.type, fn: (v, p) => (requireBool(t(v, p), '?:') ? a(v, p) : b(v, p)) };
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
        this.problem(
          expr,
          `${variable ?? 'the value'} is never null; comparing it with null is always ${name === '_==_' ? 'false' : 'true'}`,
        );
      }
    }
    if (right.constant) this.checkValue(expr, left, right.constant.value);
    if (left.constant) this.checkValue(expr, right, left.constant.value);
    const l = left.fn;
    const r = right.fn;
    return name === '_==_'
      ? { type: { base: 'bool', nullable: false }, fn: (v, p) => l(v, p) === r(v, p) }
      : { type: { base: 'bool', nullable: false }, fn: (v, p) => l(v, p) !== r(v, p) };
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
    if (
      left.type &&
      right.type &&
      left.type.base !== right.type.base &&
      left.type.base !== 'null' &&
      right.type.base !== 'null'
    ) {
      this.problem(expr, `'${op}' compares a ${describe(left.type)} with a ${describe(right.type)}`);
    }
    if (right.constant) this.checkValue(expr, left, right.constant.value);
    if (left.constant) this.checkValue(expr, right, left.constant.value);
    const compare = ORDERING[name];
    const l = left.fn;
    const r = right.fn;
    return {
      type: { base: 'bool', nullable: false },
      fn: (v, p) => {
        const a = l(v, p);
        const b = r(v, p);
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
      return { type: { base: 'bool', nullable: false }, fn: (v, p) => set.has(e(v, p)) };
    }
    const c = container.fn;
    return {
      type: { base: 'bool', nullable: false },
      fn: (v, p) => {
        const list = c(v, p);
        if (!Array.isArray(list)) throw new CelEvaluationError("no matching overload for 'in'");
        return (list as CelValue[]).includes(e(v, p));
      },
    };
  }

  private negate(expr: Expr, operand: Typed): Typed {
    if (operand.type && operand.type.base !== 'number')
      this.problem(expr, `'-' needs a number, got a ${describe(operand.type)}`);
    const f = operand.fn;
    return {
      type: { base: 'number', nullable: false },
      fn: (v, p) => {
        const value = f(v, p);
        if (typeof value !== 'number') throw new CelEvaluationError("no matching overload for '-'");
        return -value;
      },
    };
  }

  private size(expr: Expr, operand: Typed): Typed {
    if (operand.type && operand.type.base !== 'string' && operand.type.base !== 'list') {
      this.problem(expr, `size() needs a string or a list, got a ${describe(operand.type)}`);
    }
    const f = operand.fn;
    return {
      type: { base: 'number', nullable: false },
      fn: (v, p) => {
        const value = f(v, p);
        if (typeof value === 'string') return [...value].length;
        if (Array.isArray(value)) return value.length;
        throw new CelEvaluationError(`no matching overload for 'size' applied to ${celTypeName(value)}`);
      },
    };
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
      const t = target.fn;
      const a = arg.fn;
      return {
        type: { base: 'bool', nullable: false },
        fn: (v, p) => {
          const s = t(v, p);
          const x = a(v, p);
          if (typeof s !== 'string' || typeof x !== 'string') {
            throw new CelEvaluationError(
              `no matching overload for '${name}' applied to ${celTypeName(s)}.(${celTypeName(x)})`,
            );
          }
          return stringTest(name, s, x);
        },
      };
    }
    this.problem(expr, `method '${name}' is outside the supported CEL subset (see rules/README.md)`);
    return { fn: () => null };
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
  predicate: Predicate;
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
  private readonly compiled: Compiled[] = [];

  constructor(readonly scope: ConditionScope) {}

  /** Compiles `source`; problems go to `site.report`. Returns undefined when it cannot. */
  compile(source: string, site: ExpressionSite): Predicate | undefined {
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
    const compiler = new Compiler(this.scope, positions);
    const root = compiler.compile(parsed.expr);
    if (root.type && (root.type.base !== 'bool' || root.type.nullable)) {
      compiler.problems.push(`must be true or false, but it is a ${describe(root.type)}`);
    }
    if (compiler.problems.length > 0) {
      for (const problem of compiler.problems) site.report(problem);
      return undefined;
    }
    const fn = root.fn;
    const predicate: Predicate = (v, p) => {
      const result = fn(v, p);
      if (typeof result !== 'boolean')
        throw new CelEvaluationError(`'${source}' did not yield true or false`);
      return result;
    };
    this.compiled.push({
      source,
      predicate,
      variablesUsed: [...compiler.variablesUsed].sort(),
      parsed,
      site,
    });
    return predicate;
  }

  /**
   * Evaluates every compiled expression over sampled values with both the compiled closure and
   * @bufbuild/cel's planner. Reports expressions that fail to evaluate, do not give a boolean,
   * or (which would be a bug in the compiler) give a different answer.
   */
  verify(samples: Variables[] = sampleVariables(this.scope.variables)): void {
    const declarations: Record<string, typeof CelScalar.DYN> = { params: CelScalar.DYN };
    for (const name of this.scope.variables.keys()) declarations[name] = CelScalar.DYN;
    const env = celEnv({ variables: declarations });
    const params = this.scope.parameterValues;
    const bindings = samples.map((sample) => ({ ...sample, params }));
    for (const entry of this.compiled) {
      const reference = plan(env, entry.parsed);
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i];
        const expected = reference(bindings[i] as never);
        let actual: boolean | Error;
        try {
          actual = entry.predicate(sample, params);
        } catch (error) {
          actual = error as Error;
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
