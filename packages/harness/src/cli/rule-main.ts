import { registerRuleCommand } from './commands/rule.js';
import { createProgram, runProgram } from './program.js';

/**
 * The entry point for `harness rule …` alone (bin/harness.js picks it when `rule` is the command):
 * the same program as main.ts, with only the rule command registered, so a policy check loads the
 * policy code and @harness/starlark and not the server, agents or GitHub client. Built into a
 * tree-shaken bundle by `npm run build` (scripts/bundle-cli.ts).
 */
export function main(argv: string[]): Promise<number> {
  const program = createProgram();
  registerRuleCommand(program);
  return runProgram(program, argv);
}
