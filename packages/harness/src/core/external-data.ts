// Any spelling a model might read as the end of the block: case, inner whitespace.
const closingTag = /<\s*\/\s*external_data\s*>/gi;

/**
 * Wraps text from outside (issue titles and bodies, comments, reviews) for a prompt, so the agent
 * can tell data from instructions. A closing tag inside the text would end the wrapper early and let
 * the rest pose as instructions, so every spelling of it is escaped.
 */
export function wrapExternalData(text: string): string {
  return `<external_data>\n${text.replace(closingTag, '<\\/external_data>')}\n</external_data>`;
}
