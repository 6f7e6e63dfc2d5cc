import type { Classification, ClassifySource, TaskComplexity } from '@harness/protocol';

/**
 * A deterministic, explainable task classifier: no model, only rules over the words, the size of
 * the text, the paths it names and the labels of its issue or pull request. Each rule that fires
 * adds a reason; the complexity is the highest level any rule reached (critical > complex >
 * medium), `simple` only when a simplicity rule fired and nothing raised it, `medium` when no rule
 * fired at all. The rules are listed in the README ("Classification and routing").
 */
export interface ClassifyInput {
  prompt: string;
  issue?: ClassifySource | undefined;
  pr?: ClassifySource | undefined;
}

const level: Record<TaskComplexity, number> = { simple: 0, medium: 1, complex: 2, critical: 3 };

interface KeywordRule {
  complexity: TaskComplexity;
  pattern: RegExp;
}

const keywordRules: KeywordRule[] = [
  {
    complexity: 'critical',
    pattern:
      /\b(security|vulnerab\w*|cve-\d+|exploit|auth(?:entication)? bypass|privilege escalation|data loss|corrupt\w*|outage|incident|production (?:down|bug|issue)|credential leak|leaked (?:key|secret|token)|payments?)\b/gi,
  },
  {
    complexity: 'complex',
    pattern:
      /\b(refactor\w*|re-?architect\w*|architecture|redesign|rewrite|migrat\w*|concurren\w*|race conditions?|deadlocks?|distributed|performance|across the (?:code ?base|repo\w*)|breaking change|schema change|protocol|multi-?(?:service|module|package))\b/gi,
  },
  {
    complexity: 'medium',
    pattern:
      /\b(implement\w*|new feature|feature|endpoint|bug|regression|add (?:support|tests?)|integrat\w*)\b/gi,
  },
  {
    complexity: 'simple',
    pattern:
      /\b(typos?|spelling|rename|comments?|docs?|documentation|readme|changelog|format\w*|lint\w*|bump (?:the )?version|one-line|whitespace)\b/gi,
  },
];

const labelRules: { complexity: TaskComplexity; labels: string[] }[] = [
  { complexity: 'critical', labels: ['critical', 'security', 'p0', 'severity:critical', 'incident'] },
  { complexity: 'complex', labels: ['complex', 'epic', 'breaking-change', 'refactor', 'architecture'] },
  { complexity: 'simple', labels: ['good first issue', 'documentation', 'docs', 'trivial', 'typo', 'chore'] },
];

const languageByExtension: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  py: 'python',
  rs: 'rust',
  go: 'go',
  java: 'java',
  kt: 'kotlin',
  rb: 'ruby',
  php: 'php',
  cs: 'csharp',
  cpp: 'cpp',
  cc: 'cpp',
  c: 'c',
  h: 'c',
  swift: 'swift',
  scala: 'scala',
  sh: 'shell',
  sql: 'sql',
};
const languageNames =
  /\b(typescript|javascript|python|rust|golang|java|kotlin|ruby|php|c#|c\+\+|swift|scala|bash)\b/i;

/** Paths the text names: `src/app.ts`, `./lib/x.py`, `README.md` (a word with a known extension). */
const pathPattern = /(?:^|[\s`'"(])((?:\.{0,2}\/)?(?:[\w.-]+\/)*[\w.-]+\.([a-z]{1,5}))(?=$|[\s`'"),:;])/gim;

const writeVerbs =
  /\b(fix\w*|add\w*|implement\w*|change\w*|update\w*|remove\w*|delete\w*|rename\w*|refactor\w*|write|create\w*|bump\w*|migrat\w*|replace\w*|upgrade\w*|edit\w*|make)\b/i;
const readOnlyOpening =
  /^\s*(explain|why|what|how does|how do|where|review|analy[sz]e|summari[sz]e|list|find|investigate|describe|audit)\b/i;
const networkPattern =
  /\b(npm (?:install|i|update)|pnpm add|yarn add|pip install|cargo add|go get|download\w*|fetch\w* from|curl|wget|clone|upgrade (?:the )?dependenc\w*|external api|https?:\/\/\S+)/i;

export function classifyTask(input: ClassifyInput): Classification {
  const sources = [input.issue, input.pr].filter((s): s is ClassifySource => s !== undefined);
  const text = [input.prompt, ...sources.flatMap((s) => [s.title ?? '', s.body ?? ''])].join('\n');
  const found: { complexity: TaskComplexity; reason: string }[] = [];

  for (const rule of keywordRules) {
    const words = unique([...text.matchAll(rule.pattern)].map((m) => m[0].toLowerCase()));
    if (words.length > 0)
      found.push({ complexity: rule.complexity, reason: `${rule.complexity}: mentions ${quoteList(words)}` });
  }
  const labels = unique(sources.flatMap((s) => s.labels ?? []).map((l) => l.toLowerCase()));
  for (const rule of labelRules) {
    const hit = labels.filter((l) => rule.labels.includes(l));
    if (hit.length > 0)
      found.push({ complexity: rule.complexity, reason: `${rule.complexity}: labelled ${quoteList(hit)}` });
  }
  const paths = unique([
    ...[...text.matchAll(pathPattern)].map((m) => m[1] ?? ''),
    ...sources.flatMap((s) => s.files ?? []),
  ]).filter((p) => p !== '');
  if (paths.length >= 6)
    found.push({ complexity: 'complex', reason: `complex: names ${paths.length} files` });
  else if (paths.length >= 2)
    found.push({ complexity: 'medium', reason: `medium: names ${paths.length} files` });
  const words = text.split(/\s+/).filter((w) => w !== '').length;
  if (words > 400)
    found.push({ complexity: 'complex', reason: `complex: a long description (${words} words)` });
  else if (words >= 120)
    found.push({ complexity: 'medium', reason: `medium: a description of ${words} words` });

  const complexity = decide(found);
  const decided = found.filter((f) => f.complexity === complexity).map((f) => f.reason);
  const others = found.filter((f) => f.complexity !== complexity).map((f) => f.reason);
  const reasons =
    found.length === 0
      ? ['medium: no rule fired, so the default']
      : [...decided, ...others.map((r) => `also ${r}`)];
  const write = needsWrite(input.prompt);
  const network = networkPattern.exec(text);
  const language = languageOf(paths, text);
  reasons.push(write.reason);
  reasons.push(
    network === null ? 'no network: nothing to download or fetch' : `network: mentions "${network[0]}"`,
  );
  if (language !== null) reasons.push(`language: ${language.reason}`);
  return {
    complexity,
    language: language?.name ?? null,
    needs_write: write.value,
    needs_network: network !== null,
    reasons,
  };
}

function decide(found: { complexity: TaskComplexity }[]): TaskComplexity {
  if (found.length === 0) return 'medium';
  const highest = found.reduce((a, b) => (level[b.complexity] > level[a.complexity] ? b : a)).complexity;
  return highest;
}

function needsWrite(prompt: string): { value: boolean; reason: string } {
  const verb = writeVerbs.exec(prompt);
  if (verb !== null) return { value: true, reason: `writes: asks to "${verb[0].toLowerCase()}"` };
  const opening = readOnlyOpening.exec(prompt);
  if (opening !== null)
    return { value: false, reason: `read-only: a question or review ("${opening[1]?.toLowerCase()}")` };
  return { value: true, reason: 'writes: a task changes its worktree unless it only asks' };
}

function languageOf(paths: string[], text: string): { name: string; reason: string } | null {
  const counts = new Map<string, number>();
  for (const p of paths) {
    const ext = p.split('.').pop()?.toLowerCase() ?? '';
    const language = languageByExtension[ext];
    if (language !== undefined) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (top !== undefined) return { name: top[0], reason: `${top[1]} of the files named are ${top[0]}` };
  const named = languageNames.exec(text)?.[1]?.toLowerCase();
  if (named === undefined) return null;
  const name =
    named === 'golang'
      ? 'go'
      : named === 'c#'
        ? 'csharp'
        : named === 'c++'
          ? 'cpp'
          : named === 'bash'
            ? 'shell'
            : named;
  return { name, reason: `the text names ${named}` };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function quoteList(values: string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}
