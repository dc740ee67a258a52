import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * The import rules of ARCHITECTURE.md ("Layout" and "Never"), checked on every .ts file under
 * src/. Every import form counts: `import`, `import type`, `export … from`, `require()` and
 * `import()`. A relative import is resolved to the top-level folder of src/ it lands in (a file
 * directly under src/ is in the folder `<root>`); any other import names a package.
 *
 * The other half of the core's Never rule (no `Date.now`, `new Date()`, `Math.random` or timers in
 * consensus/, domain/, sagas/) is a syntax rule: `npm run lint` checks it (eslint.config.mjs).
 */

const SRC = resolve(__dirname, '../../../src');

/** One import of one file. */
interface ImportRef {
  /** The importing file, relative to src/ (`/` separated). */
  readonly file: string;
  readonly line: number;
  /** The module specifier as written. */
  readonly spec: string;
  /** The importing file's top-level folder of src/. */
  readonly from: string;
  /** A relative import: the top-level folder of src/ it lands in (`<outside>` above src/). */
  readonly folder?: string;
  /** A package import: the package's name (`@scope/name`, `name` or `node:name`). */
  readonly pkg?: string;
}

/** A rule: the folders it binds, and what an import of theirs must not be. */
interface Rule {
  /** What ARCHITECTURE.md says, as the failure message names it. */
  readonly says: string;
  readonly from: readonly string[];
  /** Only these folders of src/ may be imported (when set). */
  readonly onlyFolders?: readonly string[];
  /** These folders of src/ may not be imported. */
  readonly notFolders?: readonly string[];
  /** Packages that may not be imported. */
  readonly notPackages?: (pkg: string) => boolean;
}

const NEST = (pkg: string) => pkg.startsWith('@nestjs/');
const SQL_DRIVERS = new Set(['kysely', 'mysql2']);
const NATS_CLIENT = new Set(['nats']);
const TIMERS = new Set(['timers', 'node:timers', 'timers/promises', 'node:timers/promises']);
/** "Never: consensus/, domain/, sagas/ importing Nest, nats, kysely, mysql2, timers …" */
const NOT_PURE = (pkg: string) => NEST(pkg) || SQL_DRIVERS.has(pkg) || NATS_CLIENT.has(pkg) || TIMERS.has(pkg);

/** Where SQL may be written: infra/ (its mysql/ part), the projections and their repositories, and the composition roots and tools. */
const SQL_FOLDERS = [
  'infra',
  'projections',
  // The credentials projection and its repository (users' password hashes: never in the shared read models).
  'auth',
  // Composition roots and operator tools: they open the databases that the layers below are handed.
  'node',
  'cli',
  'bench',
  'chaos',
];
/** Where the NATS client may be used: infra/nats/, the public NATS handlers, and the processes that connect. */
const NATS_FOLDERS = [
  'infra',
  'messaging',
  // Composition roots and separate processes: the node, the CLI, the benchmark and chaos tools, the records service.
  'node',
  'cli',
  'bench',
  'chaos',
  'records',
];

/** The top-level folders of src/ (the rules that bind "every other folder" take new ones in). */
const ALL_TOP_FOLDERS = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());

const RULES: readonly Rule[] = [
  {
    says: 'shared/ (assert, branded ids, ports, error types) imports nothing of src/ but itself, and no Nest, nats, kysely, mysql2 or timers',
    from: ['shared'],
    onlyFolders: ['shared'],
    notPackages: NOT_PURE,
  },
  {
    says: 'consensus/ (the pure Multi-Paxos core) imports only consensus/ and shared/, and no Nest, nats, kysely, mysql2 or timers',
    from: ['consensus'],
    onlyFolders: ['consensus', 'shared'],
    notPackages: NOT_PURE,
  },
  {
    says: 'domain/ (commands, events, decide, evolve) imports only domain/ and shared/, and no Nest, nats, kysely, mysql2 or timers',
    from: ['domain'],
    onlyFolders: ['domain', 'shared'],
    notPackages: NOT_PURE,
  },
  {
    says: 'sagas/ (workflows: decide/evolve) imports only sagas/, domain/ and shared/, and no Nest, nats, kysely, mysql2 or timers',
    from: ['sagas'],
    onlyFolders: ['sagas', 'domain', 'shared'],
    notPackages: NOT_PURE,
  },
  {
    says: 'application/ never imports infra/ (it owns the interfaces, infra implements them), http/ or messaging/, nor a database or NATS client',
    from: ['application'],
    notFolders: ['infra', 'http', 'messaging'],
    notPackages: (pkg) => SQL_DRIVERS.has(pkg) || NATS_CLIENT.has(pkg),
  },
  {
    says: 'api/ (the public contract shared by http/ and messaging/) imports neither of them, nor infra/, nor a database or NATS client',
    from: ['api'],
    notFolders: ['http', 'messaging', 'infra'],
    notPackages: (pkg) => SQL_DRIVERS.has(pkg) || NATS_CLIENT.has(pkg),
  },
  {
    says: 'http/ never imports messaging/ (share through api/) nor infra/ (controllers touch no SQL or infra types)',
    from: ['http'],
    notFolders: ['messaging', 'infra'],
    notPackages: (pkg) => SQL_DRIVERS.has(pkg) || NATS_CLIENT.has(pkg),
  },
  {
    says: 'messaging/ never imports http/ (share through api/) nor infra/ (handlers touch no SQL or infra types)',
    from: ['messaging'],
    notFolders: ['http', 'infra'],
    notPackages: (pkg) => SQL_DRIVERS.has(pkg),
  },
  {
    says: `no SQL outside infra/mysql and the projection repositories: kysely and mysql2 only in ${SQL_FOLDERS.join('/, ')}/`,
    from: ALL_TOP_FOLDERS.filter((folder) => !SQL_FOLDERS.includes(folder)).concat('<root>'),
    notPackages: (pkg) => SQL_DRIVERS.has(pkg),
  },
  {
    says: `the NATS client only in infra/nats, the public NATS handlers and the processes that connect: nats only in ${NATS_FOLDERS.join('/, ')}/`,
    from: ALL_TOP_FOLDERS.filter((folder) => !NATS_FOLDERS.includes(folder)).concat('<root>'),
    notPackages: (pkg) => NATS_CLIENT.has(pkg),
  },
];

/** Every .ts file under `dir`, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder of src/ of a path relative to src/ (a file's, or an import's: `../domain` is the folder). */
function topFolder(pathInSrc: string): string {
  if (pathInSrc.startsWith('..')) return '<outside>';
  const parts = pathInSrc.split('/');
  return parts.length > 1 || ALL_TOP_FOLDERS.includes(parts[0]) ? parts[0] : '<root>';
}

/** The package an import specifier names. */
function packageOf(spec: string): string {
  if (spec.startsWith('node:') || spec === 'timers/promises') return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The imports of one source text (`file` relative to src/, `/` separated). */
function importsOf(file: string, text: string): ImportRef[] {
  const from = topFolder(file);
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: spec, pos }) => {
    const line = text.slice(0, pos).split('\n').length;
    if (spec.startsWith('.')) {
      const target = relative(SRC, resolve(SRC, dirname(file), spec))
        .split(sep)
        .join('/');
      return { file, line, spec, from, folder: topFolder(target) };
    }
    return { file, line, spec, from, pkg: packageOf(spec) };
  });
}

/** What is wrong with one import, by `rules`: one message per broken rule. */
function brokenRules(ref: ImportRef, rules: readonly Rule[] = RULES): string[] {
  const broken: string[] = [];
  for (const rule of rules) {
    if (!rule.from.includes(ref.from)) continue;
    const bad =
      ref.folder !== undefined
        ? ref.folder !== ref.from &&
          ((rule.onlyFolders !== undefined && !rule.onlyFolders.includes(ref.folder)) ||
            (rule.notFolders ?? []).includes(ref.folder))
        : ref.pkg !== undefined && rule.notPackages !== undefined && rule.notPackages(ref.pkg);
    if (bad) broken.push(`src/${ref.file}:${ref.line} imports '${ref.spec}': ${rule.says}`);
  }
  return broken;
}

/** Every source file of src/: path relative to src/ (`/` separated) and text. */
function sourceFiles(): { file: string; text: string }[] {
  return tsFiles(SRC).map((path) => ({
    file: relative(SRC, path).split(sep).join('/'),
    text: readFileSync(path, 'utf8'),
  }));
}

describe('import rules (ARCHITECTURE.md, Layout and Never)', () => {
  const files = sourceFiles();

  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(100);
    const refs = files.flatMap(({ file, text }) => importsOf(file, text));
    expect(refs.some((ref) => ref.folder === 'domain')).toBe(true);
    expect(refs.some((ref) => ref.pkg === '@nestjs/common')).toBe(true);
  });

  it('names only folders that exist in src/ (a renamed folder must not switch a rule off silently)', () => {
    const named = new Set(
      RULES.flatMap((rule) => [...rule.from, ...(rule.onlyFolders ?? []), ...(rule.notFolders ?? [])]),
    );
    named.delete('<root>');
    expect([...named].filter((folder) => !ALL_TOP_FOLDERS.includes(folder))).toEqual([]);
  });

  it('no file of src/ breaks an import rule', () => {
    const broken = files.flatMap(({ file, text }) => importsOf(file, text).flatMap((ref) => brokenRules(ref)));
    expect(broken).toEqual([]);
  });

  describe('the checker itself', () => {
    const check = (file: string, text: string) => importsOf(file, text).flatMap((ref) => brokenRules(ref));

    it('sees every import form and resolves relative imports to their top-level folder', () => {
      const refs = importsOf(
        'messaging/public/x.ts',
        [
          "import { A } from '../../http/common/a';",
          "import type { B } from '../../infra/mysql/b';",
          "export { C } from '../../api/c';",
          "const d = require('../../domain');",
          "void import('../../application/e');",
          "import 'kysely';",
          "import { f } from '@nestjs/common';",
          "import { g } from './envelope';",
          "import { h } from '../../main';",
        ].join('\n'),
      );
      expect(refs.map((ref) => ref.folder ?? `pkg:${ref.pkg}`)).toEqual([
        'http',
        'infra',
        'api',
        'domain',
        'application',
        'pkg:kysely',
        'pkg:@nestjs/common',
        'messaging',
        '<root>',
      ]);
      expect(refs.map((ref) => ref.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('fails on the violations the rules name, naming the file, line and import', () => {
      expect(check('messaging/public/q.ts', "import { x } from '../../http/common/min-position';")).toEqual([
        "src/messaging/public/q.ts:1 imports '../../http/common/min-position': messaging/ never imports http/ (share through api/) nor infra/ (handlers touch no SQL or infra types)",
      ]);
      expect(check('http/students/s.ts', "\nimport { y } from '../../messaging/public/envelope';")[0]).toMatch(
        /^src\/http\/students\/s\.ts:2 imports/,
      );
      expect(
        check('application/c.ts', "import type { CommandOutcome } from '../infra/mysql/command-record';"),
      ).toHaveLength(1);
      expect(check('application/c.ts', "import type { NatsConnection } from 'nats';")).toHaveLength(2); // application's own rule and the NATS rule
      expect(check('domain/student/x.ts', "import { y } from '../../projections';")).toHaveLength(1);
      expect(check('domain/student/x.ts', "import { Injectable } from '@nestjs/common';")).toHaveLength(1);
      expect(check('consensus/x.ts', "import { setTimeout } from 'node:timers/promises';")).toHaveLength(1);
      expect(check('consensus/x.ts', "import { y } from '../application/proposals';")).toHaveLength(1);
      expect(check('sagas/x/y.ts', "import { z } from '../../infra/mysql/database';")).toHaveLength(1);
      expect(check('shared/x.ts', "import { z } from '../domain';")).toHaveLength(1);
      expect(check('api/x.ts', "import { z } from '../http/common/tokens';")).toHaveLength(1);
      expect(check('http/health/h.ts', "import { sql } from 'kysely';")).toHaveLength(2); // http's own rule and the SQL rule
      expect(check('records/x.ts', "import { sql } from 'kysely';")).toHaveLength(1);
      expect(check('main.ts', "import { connect } from 'nats';")).toHaveLength(1);
    });

    it('lets each layer import what the rules allow', () => {
      expect(
        check(
          'http/students/s.ts',
          "import { x } from '../../api/students.dto';\nimport { y } from '../../application/command-gateway';",
        ),
      ).toEqual([]);
      expect(
        check('messaging/public/q.ts', "import type { Msg } from 'nats';\nimport { x } from '../../api/api-error';"),
      ).toEqual([]);
      expect(
        check(
          'infra/mysql/x.ts',
          "import type { CommandOutcome } from '../../application/command-log';\nimport { sql } from 'kysely';",
        ),
      ).toEqual([]);
      expect(
        check('domain/student/x.ts', "import { assert } from '../../shared/assert';\nimport { y } from '../shared/z';"),
      ).toEqual([]);
      expect(check('projections/x.ts', "import { sql } from 'kysely';")).toEqual([]);
      expect(
        check('node/x.ts', "import { connect } from 'nats';\nimport { y } from '../infra/mysql/database';"),
      ).toEqual([]);
    });
  });
});
