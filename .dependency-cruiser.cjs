// The floor rule of #24 (docs/architecture.md draws it). A module may import runtime code only
// from its own floor or a lower one; `import type` may point anywhere (it is erased at build);
// no runtime import circle anywhere. test/architecture/floors.test.ts runs this cruise in the
// suite; `npx depcruise src` runs it by hand.
//
// The floors, bottom to top. Each entry is a regular expression on the path from the repo root.
const FLOORS = [
  /* 0 */ ['^src/rating/'],
  /* 1 */ ['^src/config[.]ts$', '^src/db/', '^src/http/', '^src/i18n/', '^src/events[.]ts$'],
  /* 2 */ ['^src/auth/'],
  /* 3 */ ['^src/audit/'],
  /* 4 */ ['^src/catalogue/', '^src/clients/'],
  /* 5 */ ['^src/pools/'],
  /* 6 */ ['^src/quotes/'],
  /* 7 */ ['^src/policies/'],
  /* 8 */ ['^src/documents/'],
  /* 9 */ ['^src/subsidies/', '^src/statements/', '^src/portfolio/', '^src/reports/'],
  /* 10 */ ['^src/web/'],
  /* 11 */ ['^src/app[.]ts$', '^src/service[.]ts$', '^src/main[.]ts$', '^src/cli/'],
];

// Known upward imports that other #24 work removes. Each is one edge (from file → to file),
// exempt from its floor rule until then; the test lists any that no longer occur so the
// list shrinks with the code.
const KNOWN_UPWARD = [
];

// Known runtime import circles, each named by the modules it runs through; a circle is exempt
// only when every module in it is listed.
const KNOWN_CIRCLES = [];

const floorOf = (index) => FLOORS[index];
const above = (index) => FLOORS.slice(index + 1).flat();
const floorNames = ['rating', 'plumbing', 'auth', 'audit', 'catalogue', 'pools', 'quotes', 'policies', 'documents', 'read-models', 'web', 'composition'];
const runtime = { dependencyTypesNot: ['type-only'] };
const exactPath = (file) => `^${file.replace(/[.]/g, '[.]')}$`;

/** One rule per floor: its modules import nothing at runtime from a higher floor. */
function floorRules() {
  return FLOORS.slice(0, -1).map((_, index) => {
    const exempt = KNOWN_UPWARD.filter((k) => floorOf(index).some((p) => new RegExp(p).test(k.from)));
    return {
      name: `floor-${index}-${floorNames[index]}-no-upward-import`,
      comment: `Floor ${index} (${floorNames[index]}) imports only from floors 0..${index} at runtime; a need from above is a port declared here and injected by src/service.ts.`,
      severity: 'error',
      from: { path: floorOf(index), pathNot: exempt.map((k) => exactPath(k.from)) },
      to: { path: above(index), ...runtime },
    };
  }).concat(knownUpwardRules());
}

/** A file with a known upward edge keeps the rule for every other edge it has. */
function knownUpwardRules() {
  const byFile = new Map();
  for (const k of KNOWN_UPWARD) byFile.set(k.from, [...(byFile.get(k.from) ?? []), k]);
  return [...byFile].map(([from, known]) => {
    const index = FLOORS.findIndex((floor) => floor.some((p) => new RegExp(p).test(from)));
    return {
      name: `floor-${index}-${floorNames[index]}-no-upward-import`,
      comment: `As the floor rule, less the known edges of ${from}: ${known.map((k) => k.why).join('; ')}`,
      severity: 'error',
      from: { path: exactPath(from) },
      to: { path: above(index), pathNot: known.map((k) => exactPath(k.to)), ...runtime },
    };
  });
}

module.exports = {
  forbidden: [
    ...floorRules(),
    {
      name: 'no-runtime-circle',
      comment: 'No runtime import circle anywhere: a circle means two modules are one room, or one of them needs a port.',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        circular: true,
        ...runtime,
        viaOnly: { ...runtime },
        ...(KNOWN_CIRCLES.length ? { via: { pathNot: KNOWN_CIRCLES.flatMap((c) => c.modules.map(exactPath)) } } : {}),
      },
    },
    {
      name: 'every-module-on-a-floor',
      comment: 'Every module under src/ belongs to a floor of the table above (add a new folder to it).',
      severity: 'error',
      from: { path: '^src/', pathNot: FLOORS.flat() },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a moved file.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Sees `import type` as a dependency of its own kind ('type-only'), which the floors allow.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolves as Node does for this ESM project (package "exports", import conditions).
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json', '.mjs', '.cjs'],
    },
    exclude: { path: ['^src/.*[.]d[.]ts$'] },
  },
};

// The tables themselves, for test/architecture/floors.test.ts (not enumerable: dependency-cruiser
// validates the configuration's own keys strictly).
Object.defineProperty(module.exports, 'floors', { enumerable: false, value: { FLOORS, KNOWN_UPWARD, KNOWN_CIRCLES } });
