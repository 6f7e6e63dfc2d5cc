// Lives in core so every module that prompts an agent (tasks, review) wraps outside text the same way.
export { wrapExternalData } from '../core/index.js';
