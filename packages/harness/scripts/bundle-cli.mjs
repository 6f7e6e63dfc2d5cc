// Bundles the start-up path of `harness rule …` (dist/cli/rule-main.js) into dist/bundle/, after
// `tsc -b` has compiled it: one tree-shaken file instead of some 250 modules, and without zod, pino,
// the TOML parser or the config schema, which the compiled modules reach only through module
// indexes (core/index.js re-exports the config). bin/harness.js uses the bundle while it is newer
// than every tsc build it was made from, else the compiled files. Run by `npm run build`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const harnessDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(harnessDir, 'dist', 'bundle');
const packagesDir = path.dirname(harnessDir);

/** Packages that must not be loaded by `rule check FILE -- CMD`; the build fails if they are. */
const HEAVY = [
  'zod',
  'pino',
  'smol-toml',
  '@octokit',
  'better-sqlite3',
  'pg',
  'hono',
  'ws',
  '@opentelemetry',
];

/**
 * Our own compiled modules (harness and protocol) have no import-time side effects that other
 * modules rely on, so esbuild may drop every one whose exports go unused — which is what removes the
 * config schema behind core/index.js. @harness/starlark and third-party packages keep esbuild's own
 * analysis (and their package.json `sideEffects`).
 */
const ownModulesArePure = {
  name: 'own-modules-are-pure',
  setup(build) {
    const pure = [path.join(harnessDir, 'dist'), path.join(packagesDir, 'protocol', 'dist')];
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner' || args.kind === 'entry-point') return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0 || resolved.external) return resolved;
      const isPure = pure.some((dir) => resolved.path.startsWith(dir + path.sep));
      return isPure ? { ...resolved, sideEffects: false } : resolved;
    });
    // Our module indexes name what they re-export (`export { a, b } from './x.js'`). esbuild then
    // counts every named module as reached from the entry, so code wanted only on demand (the config
    // schema, and zod with it) would land in the chunk loaded at start-up. Seen as `export *`, which
    // exposes the same names here, the unused ones are left to the on-demand chunk.
    build.onLoad({ filter: /[\\/]index\.js$/ }, (args) => {
      if (!pure.some((dir) => args.path.startsWith(dir + path.sep))) return undefined;
      const source = readFileSync(args.path, 'utf8');
      return {
        contents: source.replace(/export \{[^}]*\} from ('[^']+');/g, 'export * from $1;'),
        loader: 'js',
      };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await esbuild.build({
  entryPoints: { 'rule-main': path.join(harnessDir, 'dist', 'cli', 'rule-main.js') },
  outdir,
  bundle: true,
  splitting: true, // what rule.ts imports on demand (config, guards) stays in chunks loaded on demand
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // A native addon finds its binary from its own package directory, so it stays in node_modules;
  // only the project scan (`rule check DIR`, loaded on demand) opens the store. pg stays there too:
  // it requires its optional native binding (pg-native) by name, which a bundle cannot resolve.
  external: ['better-sqlite3', 'pg'],
  // commander is CommonJS and calls require() for Node's modules; an ESM bundle has no require.
  banner: {
    js: "import { createRequire as __harnessRequire } from 'node:module';\nconst require = __harnessRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
  plugins: [ownModulesArePure],
});

// Chunks loaded by import() have an entryPoint too; the start-up entry is rule-main's.
const entry = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('/rule-main.js'));
const loaded = staticClosure(result.metafile, entry[0]);
const heavy = loaded.flatMap((file) => [
  ...Object.keys(result.metafile.outputs[file].inputs).filter((input) =>
    HEAVY.some((name) => input.includes(`node_modules/${name}/`)),
  ),
  // External packages (better-sqlite3, pg) are imported, not bundled: look at the imports too.
  ...result.metafile.outputs[file].imports
    .filter((imported) => imported.external && imported.kind === 'import-statement')
    .map((imported) => imported.path)
    .filter((name) => HEAVY.some((heavyName) => name === heavyName || name.startsWith(`${heavyName}/`))),
]);
if (heavy.length > 0) {
  throw new Error(`the rule start-up bundle loads what it should not: ${heavy.slice(0, 5).join(', ')}`);
}
writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));

/** The output files loaded at start-up: the entry and the chunks it imports statically. */
function staticClosure(metafile, file, seen = new Set()) {
  if (seen.has(file)) return [...seen];
  seen.add(file);
  for (const imported of metafile.outputs[file].imports) {
    if (imported.kind === 'import-statement' && !imported.external)
      staticClosure(metafile, imported.path, seen);
  }
  return [...seen];
}
