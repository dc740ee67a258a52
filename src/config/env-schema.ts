import { ConfigError } from '../consensus/config';

/** An environment as a process or a test gives it: variable names to raw text. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** The values of the variables read before this one (in schema order), for defaults that follow another variable. */
export type EarlierValues = Readonly<Record<string, unknown>>;

/**
 * One environment variable: how its text is read and checked, what it holds when unset, and how
 * the docs and `.env.example` describe it (both are generated from these fields).
 */
export interface EnvVar<T> {
  /** The kind of value and its allowed range, as the docs show it, e.g. `integer 1..65535`. */
  readonly type: string;
  /** What the variable does, in one or a few sentences. */
  readonly description: string;
  /** The default as the docs show it; undefined: unset stays unset. */
  readonly defaultText?: string;
  /** The default as a value the variable can be set to (`.env.example` shows it); undefined when it follows other variables or there is none. */
  readonly defaultValue?: string;
  /** True when a value must be given; a text says when (e.g. `unless NODE_ENV=development`). */
  readonly required: boolean | string;
  /** A credential: the docs and `.env.example` never show a value of it. */
  readonly secret: boolean;
  /** True when an empty value stands as given; false when it means unset. */
  readonly emptyIsValue: boolean;
  /**
   * Reads the raw text (undefined when unset) into the value, the default when unset.
   * @throws ConfigError naming the variable, what it must be and what it got
   */
  readonly parse: (name: string, raw: string | undefined, earlier: EarlierValues) => T;
}

/** Variables by name; each name is the environment variable's own. */
export type EnvSchema = Readonly<Record<string, EnvVar<unknown>>>;

/** What a schema reads: each variable's parsed value, defaults filled. */
export type EnvValues<S extends EnvSchema> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

/** A rule over several variables, checked once each of them parsed. */
export interface EnvRule<S extends EnvSchema> {
  /** The variables the rule reads (it is skipped when one of them is already refused). */
  readonly variables: readonly (keyof S & string)[];
  /** The rule in words, as the docs list it. */
  readonly description: string;
  /** The refusal, naming the variables, when the values break the rule; undefined when they keep it. */
  readonly check: (values: EnvValues<S>) => string | undefined;
}

/** A schema with its cross-variable rules. */
export interface EnvSpec<S extends EnvSchema> {
  readonly schema: S;
  readonly rules: readonly EnvRule<S>[];
}

/**
 * Reads `env` with `schema`: every variable of the schema is parsed (or defaulted), then each rule
 * is checked; variables the schema does not name are ignored.
 *
 * @returns each variable's value, keyed by its name
 * @throws ConfigError listing every refused variable (each message names its variable), separated by `; `
 */
export function parseEnv<S extends EnvSchema>(spec: EnvSpec<S>, env: EnvSource): EnvValues<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const refused = new Set<string>();
  for (const [name, variable] of Object.entries(spec.schema)) {
    try {
      values[name] = variable.parse(name, env[name], values);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      refused.add(name);
    }
  }
  for (const rule of spec.rules) {
    if (rule.variables.some((name) => refused.has(name))) continue;
    const problem = rule.check(values as EnvValues<S>);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return Object.freeze(values) as EnvValues<S>;
}

/** The part of `spec` that reads only `names`: their variables and the rules that read no other. */
export function pickEnv<S extends EnvSchema, K extends keyof S & string>(spec: EnvSpec<S>, names: readonly K[]): EnvSpec<Pick<S, K>> {
  const wanted = new Set<string>(names);
  const schema = Object.fromEntries(names.map((name) => [name, spec.schema[name]])) as unknown as Pick<S, K>;
  const rules = spec.rules.filter((rule) => rule.variables.every((name) => wanted.has(name))) as unknown as EnvRule<Pick<S, K>>[];
  return { schema, rules };
}

// ---- Builders: each makes an EnvVar whose docs text follows from the same options as its checks.

/** What every builder takes besides its own options. */
export interface EnvVarDoc {
  readonly description: string;
  /** True, or when, a value must be given (default: optional). */
  readonly required?: boolean | string;
  readonly secret?: boolean;
  /** How the docs show the default when the builder cannot say it (no default value, or one the code picks later). */
  readonly defaultText?: string;
}

/** A default that follows other variables read before it (e.g. MYSQL_DATABASE from NODE_ID), and how the docs show it. */
export interface DerivedDefault<T> {
  readonly text: string;
  readonly of: (earlier: EarlierValues) => T;
}

function unset(raw: string | undefined, emptyIsValue = false): raw is undefined {
  return raw === undefined || (raw === '' && !emptyIsValue);
}

function defaultOf<T>(value: T | DerivedDefault<T>, earlier: EarlierValues): T {
  return isDerived(value) ? value.of(earlier) : value;
}

function isDerived<T>(value: T | DerivedDefault<T>): value is DerivedDefault<T> {
  return typeof value === 'object' && value !== null && 'of' in value && typeof (value as DerivedDefault<T>).of === 'function';
}

function defaultTextOf<T>(value: T | DerivedDefault<T> | undefined, show: (v: T) => string): string | undefined {
  if (value === undefined) return undefined;
  return isDerived(value) ? value.text : show(value);
}

function literalOf<T>(value: T | DerivedDefault<T> | undefined, show: (v: T) => string): string | undefined {
  return value === undefined || isDerived(value) ? undefined : show(value);
}

function fail(message: string): never {
  throw new ConfigError(message);
}

/** Options of a text variable. */
export interface TextOptions extends EnvVarDoc {
  /** The pattern a value must match, and how messages and docs name it. */
  readonly pattern?: { readonly regex: RegExp; readonly text: string };
  /** True when an empty value stands as given (`HTTP_HOST=` binds every address) instead of meaning unset. */
  readonly emptyIsValue?: boolean;
  /** Further checks on a value; a message (without the name) when it is refused. */
  readonly check?: (value: string, name: string) => string | undefined;
  /** The type as the docs show it (default `text`, or the pattern). */
  readonly type?: string;
}

/** A text variable; unset (or empty, unless `emptyIsValue`) gives the default. */
export function text(options: TextOptions & { readonly default: string | DerivedDefault<string> }): EnvVar<string>;
export function text(options: TextOptions): EnvVar<string | undefined>;
export function text(options: TextOptions & { readonly default?: string | DerivedDefault<string> }): EnvVar<string | undefined> {
  return {
    type: options.type ?? (options.pattern ? `text matching \`${options.pattern.text}\`` : 'text'),
    description: options.description,
    defaultText: options.defaultText ?? defaultTextOf(options.default, (v) => (v === '' ? '(empty)' : v)),
    defaultValue: literalOf(options.default, (v) => v),
    required: options.required ?? false,
    secret: options.secret ?? false,
    emptyIsValue: options.emptyIsValue ?? false,
    parse: (name, raw, earlier) => {
      if (unset(raw, options.emptyIsValue)) return options.default === undefined ? undefined : defaultOf(options.default, earlier);
      if (options.pattern && !options.pattern.regex.test(raw)) fail(`${name} must match ${options.pattern.text}, got ${raw}`);
      const problem = options.check?.(raw, name);
      if (problem !== undefined) fail(`${name} ${problem}`);
      return raw;
    },
  };
}

/** Options of an integer variable. */
export interface IntOptions extends EnvVarDoc {
  readonly min?: number;
  readonly max?: number;
  /** True when 0 is allowed besides min..max, and what it means (e.g. `no limit`). */
  readonly zero?: string;
  /** Said after the range in messages and docs, e.g. `(the heartbeat interval)`. */
  readonly rangeNote?: string;
}

const DIGITS = /^\d+$/;

/**
 * A non-negative integer variable (decimal digits): text that is not one is refused as `must be
 * a non-negative integer`, a number outside the range as `must be <range>`.
 */
export function int(options: IntOptions & { readonly default: number | DerivedDefault<number> }): EnvVar<number>;
export function int(options: IntOptions): EnvVar<number | undefined>;
export function int(options: IntOptions & { readonly default?: number | DerivedDefault<number> }): EnvVar<number | undefined> {
  const min = options.min ?? 0;
  const max = options.max;
  const range = rangeText(min, max, options.zero);
  const note = options.rangeNote ? ` ${options.rangeNote}` : '';
  return {
    type: min === 0 && max === undefined ? 'integer ≥ 0' : `integer ${range}`,
    description: options.description,
    defaultText: options.defaultText ?? defaultTextOf(options.default, String),
    defaultValue: literalOf(options.default, String),
    required: options.required ?? false,
    secret: options.secret ?? false,
    emptyIsValue: false,
    parse: (name, raw, earlier) => {
      if (unset(raw)) return options.default === undefined ? undefined : defaultOf(options.default, earlier);
      const value = Number(raw.trim());
      if (!DIGITS.test(raw.trim()) || !Number.isSafeInteger(value)) fail(`${name} must be a non-negative integer, got ${raw}`);
      const zeroOk = options.zero !== undefined && value === 0;
      if (!zeroOk && (value < min || (max !== undefined && value > max))) fail(`${name} must be ${range}${note}, got ${value}`);
      return value;
    },
  };
}

function rangeText(min: number, max: number | undefined, zero: string | undefined): string {
  const span = max === undefined ? `at least ${min}` : `${min}..${max}`;
  return zero === undefined ? span : `0 (${zero}) or ${span}`;
}

/** A TCP port, 1..65535. */
export function port(options: EnvVarDoc & { readonly default: number }): EnvVar<number>;
export function port(options: EnvVarDoc): EnvVar<number | undefined>;
export function port(options: EnvVarDoc & { readonly default?: number }): EnvVar<number | undefined> {
  return int({ ...options, min: 1, max: 65535 });
}

/** Options of a signed integer variable. */
export interface SignedIntOptions extends EnvVarDoc {
  /** The largest magnitude allowed. */
  readonly bound: number;
  readonly default: number;
}

/** An integer that may be negative, within ±bound. */
export function signedInt(options: SignedIntOptions): EnvVar<number> {
  return {
    type: `integer -${options.bound}..${options.bound}`,
    description: options.description,
    defaultText: String(options.default),
    defaultValue: String(options.default),
    required: options.required ?? false,
    secret: options.secret ?? false,
    emptyIsValue: false,
    parse: (name, raw) => {
      if (unset(raw)) return options.default;
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || Math.abs(value) > options.bound) {
        fail(`${name} must be an integer between -${options.bound} and ${options.bound}, got ${raw}`);
      }
      return value;
    },
  };
}

/** A fraction 0..1 written as plain decimals (`0.01`, `.5`, `1`). */
export function fraction(options: EnvVarDoc & { readonly default: number }): EnvVar<number> {
  return {
    type: 'number 0..1',
    description: options.description,
    defaultText: String(options.default),
    defaultValue: String(options.default),
    required: options.required ?? false,
    secret: options.secret ?? false,
    emptyIsValue: false,
    parse: (name, raw) => {
      if (unset(raw)) return options.default;
      const value = Number(raw);
      if (!/^\d*\.?\d+$/.test(raw) || !(value >= 0 && value <= 1)) fail(`${name} must be a number from 0 to 1, got ${raw}`);
      return value;
    },
  };
}

/** A switch: `1` or `true` turns it on; unset, empty, `0` or `false` leaves it off; anything else is refused. */
export function flag(options: EnvVarDoc): EnvVar<boolean> {
  return {
    type: 'flag: 1, true, 0 or false',
    description: options.description,
    defaultText: 'off',
    defaultValue: '0',
    required: options.required ?? false,
    secret: options.secret ?? false,
    emptyIsValue: false,
    parse: (name, raw) => {
      if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
      if (raw === '1' || raw === 'true') return true;
      return fail(`${name} must be 1, true, 0 or false, got '${raw}'`);
    },
  };
}

/** One of a fixed set of words. */
export function oneOf<const W extends string>(words: readonly W[], options: EnvVarDoc & { readonly default: W; readonly emptyIsValue?: boolean }): EnvVar<W> {
  const list = words.join(', ');
  return {
    type: `one of ${list}`,
    description: options.description,
    defaultText: options.default,
    defaultValue: options.default,
    required: options.required ?? false,
    secret: options.secret ?? false,
    emptyIsValue: options.emptyIsValue ?? false,
    parse: (name, raw) => {
      if (unset(raw, options.emptyIsValue)) return options.default;
      if (!(words as readonly string[]).includes(raw)) fail(`${name} must be one of ${list}, got '${raw}'`);
      return raw as W;
    },
  };
}

/** Options of a variable with a reader of its own. */
export interface CustomOptions<T> extends EnvVarDoc {
  readonly type: string;
  /** The default as a value the variable can be set to, when it is one. */
  readonly defaultValue?: string;
  /** Reads a set value (never called when unset or empty, unless `emptyIsValue`); throws ConfigError naming the variable. */
  readonly read: (name: string, raw: string, earlier: EarlierValues) => T;
  readonly emptyIsValue?: boolean;
}

/** A variable read by its own function; unset gives `fallback`. */
export function custom<T, U = undefined>(options: CustomOptions<T> & { readonly fallback?: U }): EnvVar<T | U> {
  return {
    type: options.type,
    description: options.description,
    defaultText: options.defaultText,
    defaultValue: options.defaultValue,
    required: options.required ?? false,
    secret: options.secret ?? false,
    emptyIsValue: options.emptyIsValue ?? false,
    parse: (name, raw, earlier) => (unset(raw, options.emptyIsValue) ? (options.fallback as U) : options.read(name, raw, earlier)),
  };
}
