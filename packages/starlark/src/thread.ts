import { Budget, type Limits, resolveLimits } from './limits.js';

export interface ThreadOptions {
  /** Budgets for everything run on this thread; unspecified fields take `defaultLimits`. */
  limits?: Partial<Limits>;
  /** Receives the text of each print() call; by default output is discarded. */
  print?: (message: string) => void;
}

const discard = (): void => {};

/**
 * One evaluation's mutable state, handed down with every call (starlark-go's `Thread`): the budget
 * it spends and where its print() output goes. The interpreter keeps no such state anywhere else,
 * so evaluations that nest (a native that runs another module) or interleave (a host calling
 * Starlark callables on two threads in turn) each spend their own budget. `execModule` makes one
 * per run; a host makes one to call a Starlark callable outside any evaluation.
 */
export class Thread {
  readonly budget: Budget;
  readonly print: (message: string) => void;

  constructor(options: ThreadOptions = {}) {
    this.budget = new Budget(resolveLimits(options.limits));
    this.print = options.print ?? discard;
  }

  /** Evaluation steps spent so far. */
  get steps(): number {
    return this.budget.steps;
  }
}
