/**
 * The one way command analysis sees files (the Makefile `make` would read, the package.json a
 * package manager would use): a port the caller supplies, so the analysis itself stays free of
 * Node and can be run against files that exist only in a test.
 */
export interface FileReader {
  /** True when `file` exists (of any type), as `existsSync` answers. */
  exists(file: string): boolean;
  /** The whole text of `file`; null when it cannot be read. */
  readText(file: string): Promise<string | null>;
}
