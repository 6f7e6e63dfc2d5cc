import type { Git } from '../../core/index.js';
import { type RepoRef, repoSlug } from '../../github/index.js';
import type { ProjectRegistry } from '../../projects/index.js';
import { repoOf } from '../../tasks/index.js';

/**
 * The project whose git remote is `repo`. A delivery only starts work in a project that is a
 * checkout of the repository it came from: running it in some default project would let any
 * repository whose webhook shares the secret steer work in another.
 */
export async function projectForRepo(
  projects: ProjectRegistry,
  git: Git,
  repo: RepoRef,
): Promise<string | null> {
  const wanted = repoSlug(repo).toLowerCase();
  for (const project of await projects.list()) {
    // A project whose overlay cannot be read cannot run tasks either; skip it rather than fail.
    const settings = await projects.settings(project.name).catch(() => null);
    if (settings === null) continue;
    const found = await repoOf(git, project.root, settings.git.remote);
    if (found !== null && repoSlug(found).toLowerCase() === wanted) return project.name;
  }
  return null;
}
