/** Why a task stopped short; `code` is stable (tests, dashboards and retries branch on it). */
export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskFailure';
  }
}

/** A command needs a person's approval (`rules.on_prompt = "needs_input"`): the task waits. */
export class TaskNeedsInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskNeedsInput';
  }
}
