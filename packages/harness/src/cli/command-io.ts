interface Writer {
  write(chunk: string): unknown;
}

/**
 * Where a command writes and what it sees of the process. Injectable so commands can be run
 * in-process by tests; by default it is the real process.
 */
export interface CommandIo {
  stdout: Writer;
  stderr: Writer;
  env: NodeJS.ProcessEnv;
  cwd: string;
  home?: string;
  setExitCode(code: number): void;
}

export function processIo(): CommandIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}
