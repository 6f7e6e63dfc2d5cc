import { HarnessError, ErrorCodes } from '../../core/index.js';

/**
 * What `harness demo` uses of @harness/testkit, described here rather than imported: the product
 * never depends on its test doubles (not even for types, which would make the two TypeScript
 * projects reference each other). The testkit's real types are wider; these are the parts used.
 */
export interface DemoTurn {
  text?: string;
  tool_calls?: { name: string; input: Record<string, unknown> }[];
}

export interface DemoModelServer {
  readonly baseUrl: string;
  readonly script: { respondWith(responder: (body: unknown) => DemoTurn | undefined): void };
  close(): Promise<void>;
}

export interface DemoGithub {
  readonly url: string;
  addRepo(slug: string): unknown;
  reviews(slug: string, pullNumber: number): readonly unknown[];
  close(): Promise<void>;
}

export interface DemoKit {
  startScriptedAnthropicServer(turns: DemoTurn[]): Promise<DemoModelServer>;
  scriptedClaudeEnv(baseUrl: string): Record<string, string>;
  startGithubStandIn(options: { token: string }): Promise<DemoGithub>;
}

/** The package the demo borrows its scripted model and GitHub stand-in from. */
export const demoKitPackage = '@harness/testkit';

/**
 * Loads the testkit when the demo runs. It exists only in a source checkout (it is a private
 * workspace package), so an installed Harness says what to do instead of failing obscurely.
 */
export async function loadDemoKit(specifier: string = demoKitPackage): Promise<DemoKit> {
  try {
    // A variable specifier: TypeScript does not resolve it, so this package builds without the testkit.
    return (await import(specifier)) as DemoKit;
  } catch (error) {
    throw new HarnessError(
      ErrorCodes.unavailable,
      `harness demo needs a source checkout of Harness: it could not load ${specifier} (its scripted ` +
        `model and GitHub stand-in), which is not part of an installed Harness. In a clone of the ` +
        `repository run \`npm ci && npm run demo\`.`,
      { cause: error },
    );
  }
}
