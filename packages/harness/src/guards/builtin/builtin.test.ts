import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRules } from '../catalogue.js';
import { scanProject } from '../scan.js';
import { builtinGuards, lexLines } from './index.js';

/**
 * Every built-in rule, with a file that breaks it (on the lines given) and a file that comes close
 * without breaking it. The guard must find exactly the first. A rule without a sample fails here.
 */
interface Sample {
  readonly id: string;
  readonly file: string;
  readonly positive: string;
  readonly lines: readonly number[];
  readonly negative: string;
}

const key = ['-----BEGIN RSA ', 'PRIVATE KEY-----'].join('');
const samples: readonly Sample[] = [
  {
    id: 'SEC-01',
    file: 'src/config.ts',
    positive: `const apiKey = "k8s7d6f5g4h3j2k1";\nconst ok = 1;\nconst aws = "${'AKIA' + 'IOSFODNN7EXAMPLE'}";`,
    lines: [1, 3],
    negative: [
      'const apiKey = process.env.API_KEY ?? "";',
      'const password = "changeme-please";',
      '// const token = "abcd1234efgh5678";',
      'const secretName = "x";',
      'const env = { ANTHROPIC_API_KEY: lease.credential, apiKey: "ANTHROPIC_API_KEY" };',
      'const toml = \'api_key = "scripted"\';',
      'const secret = "abcdefghij";',
    ].join('\n'),
  },
  {
    id: 'SEC-01',
    file: '.env',
    positive: 'DB_PASSWORD=s3cr3tvalue99',
    lines: [1],
    negative: 'DB_PASSWORD=${DB_PASSWORD}',
  },
  {
    id: 'SEC-02',
    file: 'deploy/id_rsa',
    positive: `${key}\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----`,
    lines: [1],
    negative: '-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----',
  },
  {
    id: 'SEC-03',
    file: 'src/run.js',
    positive: 'const result = eval(userInput);\nconst f = new Function("a", body);',
    lines: [1, 2],
    negative:
      '// eval(x) is not used\nconst s = "eval(x)";\nmodel.eval();\nconst m = re.exec(s);\nclass E {\n  eval(e: Expr): Value {\n  }\n}\nfunction eval(x) {}',
  },
  {
    id: 'SEC-03',
    file: 'tool.py',
    positive: 'exec(code)',
    lines: [1],
    negative: 'model.eval()\n# exec(code)',
  },
  {
    id: 'SEC-04',
    file: 'src/git.js',
    positive: 'exec("git log " + branch);\nchild_process.execSync(`rm -rf ${dir}`);',
    lines: [1, 2],
    negative: 'execFile("git", ["log", branch]);\nexec("ls -la");\nre.exec(s + t);',
  },
  {
    id: 'SEC-04',
    file: 'clean.py',
    positive: 'os.system(f"rm {path}")\nsubprocess.run("rm " + path, shell=True)',
    lines: [1, 2],
    negative: 'subprocess.run(["rm", path])\nos.system("ls")',
  },
  {
    id: 'SEC-05',
    file: 'db.py',
    positive: 'cur.execute("SELECT * FROM users WHERE id = " + user_id)',
    lines: [1],
    negative: 'cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))',
  },
  {
    id: 'SEC-05',
    file: 'src/db.ts',
    positive: 'db.query(`DELETE FROM users WHERE id = ${id}`);',
    lines: [1],
    negative: 'db.query("DELETE FROM users WHERE id = $1", [id]);',
  },
  {
    id: 'SEC-06',
    file: 'src/client.ts',
    positive: 'const agent = new https.Agent({ rejectUnauthorized: false });',
    lines: [1],
    negative:
      'const agent = new https.Agent({ rejectUnauthorized: true });\nconst doc = "never set rejectUnauthorized: false";\nconst re = /rejectUnauthorized: false/;',
  },
  {
    id: 'SEC-06',
    file: 'fetch.py',
    positive: 'requests.get(url, verify=False)',
    lines: [1],
    negative: 'requests.get(url, verify=True)',
  },
  {
    id: 'SEC-07',
    file: 'src/server.js',
    positive: 'res.sendFile(path.join(__dirname, "public", req.params.name));',
    lines: [1],
    negative: 'res.sendFile(path.join(__dirname, "public", "index.html"));',
  },
  {
    id: 'SEC-08',
    file: 'hash.py',
    positive: 'digest = hashlib.md5(data).hexdigest()',
    lines: [1],
    negative: 'digest = hashlib.sha256(data).hexdigest()',
  },
  {
    id: 'TS-01',
    file: 'src/types.ts',
    positive: 'function parse(input: any): void {}\nconst x = y as any;',
    lines: [1, 2],
    negative: 'function parse(input: unknown): void {}\nconst company = "any";\nconst anyValue: number = 1;',
  },
  {
    id: 'TS-02',
    file: 'src/log.js',
    positive: 'console.log("debug", value);',
    lines: [1],
    negative: 'logger.info("ok");\n// console.log("x")\nconsole.error("failed");',
  },
  {
    id: 'TS-03',
    file: 'src/cast.ts',
    positive: '// @ts-ignore\nconst a: number = "s";',
    lines: [1],
    negative:
      '// @ts-expect-error the API types lag behind\nconst a: number = "s";\nconst doc = "// @ts-ignore hides errors";\n/* see @ts-ignore */',
  },
  {
    id: 'TS-04',
    file: 'src/user.ts',
    positive: 'const name = user!.name;\nconst first = list[0]!;',
    lines: [1, 2],
    negative:
      'if (!user) return;\nconst same = a !== b;\nlet late!: string;\nconst s = "hi!";\nconst re = /[\\w)]!(?=[.;])/;\nconst half = total / 2 / count; // not! a regex',
  },
  {
    id: 'PY-01',
    file: 'job.py',
    positive: 'try:\n    run()\nexcept:\n    pass',
    lines: [3],
    negative: 'try:\n    run()\nexcept ValueError:\n    pass',
  },
  {
    id: 'PY-02',
    file: 'bag.py',
    positive: 'def add(item, items=[]):\n    pass\ndef put(k, into: dict = {}):\n    pass',
    lines: [1, 3],
    negative: 'def add(item, items=None):\n    pass\nx = []',
  },
  {
    id: 'PY-03',
    file: 'lib.py',
    positive: 'print("debug")',
    lines: [1],
    negative: 'logger.info("x")\n# print("x")',
  },
  {
    id: 'PY-04',
    file: 'check.py',
    positive: 'assert user is not None',
    lines: [1],
    negative: 'if user is None:\n    raise ValueError("no user")',
  },
  {
    id: 'GO-01',
    file: 'lib/fs.go',
    positive: 'package lib\n\nfunc F() {\n\t_ = os.Remove(path)\n\tn, _ := strconv.Atoi(s)\n}',
    lines: [4, 5],
    negative:
      'package lib\n\nfunc F() error {\n\tif err := os.Remove(path); err != nil {\n\t\treturn err\n\t}\n\tv, ok := m[key]\n}',
  },
  {
    id: 'GO-02',
    file: 'lib/must.go',
    positive: 'package lib\n\nfunc F() {\n\tpanic("no")\n}',
    lines: [4],
    negative: 'package main\n\nfunc main() {\n\tpanic("no")\n}',
  },
  {
    id: 'GO-03',
    file: 'lib/read.go',
    positive: 'package lib\n\nfunc F() {\n\tif err == io.EOF {\n\t}\n}',
    lines: [4],
    negative: 'package lib\n\nfunc F() {\n\tif errors.Is(err, io.EOF) {\n\t}\n\tif err != nil {\n\t}\n}',
  },
  {
    id: 'RS-01',
    file: 'src/lib.rs',
    positive: 'fn f(s: &str) -> i32 {\n    s.parse::<i32>().unwrap()\n}',
    lines: [2],
    negative:
      'fn f(s: &str) -> Option<i32> {\n    let v = s.parse::<i32>().ok()?;\n    Some(v.unwrap_or(0))\n}\n#[cfg(test)]\nmod tests {\n    fn t() { x.unwrap(); }\n}',
  },
  {
    id: 'RS-02',
    file: 'src/todo.rs',
    positive: 'fn f() {\n    todo!()\n}',
    lines: [2],
    negative: '// todo!() later\nfn f() -> &\'static str {\n    "todo!()"\n}',
  },
  {
    id: 'RS-03',
    file: 'src/ptr.rs',
    positive: 'fn f(ptr: *const u8) -> u8 {\n    unsafe { *ptr }\n}',
    lines: [2],
    negative:
      'fn f(ptr: *const u8) -> u8 {\n    // SAFETY: the caller passes a valid pointer\n    unsafe { *ptr }\n}',
  },
];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'builtin-guards-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function plant(dir: string, file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), `${content}\n`);
}

describe('the built-in catalogue', () => {
  it('has a guard and a sample for every rule, and no guard without a rule', () => {
    const rules = [...builtinRules().keys()].sort();
    expect(rules.length).toBeGreaterThanOrEqual(20);
    expect([...builtinGuards().keys()].sort()).toEqual(rules);
    expect([...new Set(samples.map((s) => s.id))].sort()).toEqual(rules);
  });

  it.each(samples.map((s, i) => [`${s.id} in ${s.file}`, s, i] as const))('%s', async (_name, sample, i) => {
    const dir = path.join(root, `case-${i}`);
    await plant(dir, path.join('pos', sample.file), sample.positive);
    await plant(dir, path.join('neg', sample.file), sample.negative);
    const scan = await scanProject(dir);
    const mine = scan.findings.filter((f) => f.rule_id === sample.id);
    expect(mine.map((f) => [f.file, f.line])).toEqual(
      sample.lines.map((line) => [`pos/${sample.file}`, line]),
    );
    const rule = builtinRules().get(sample.id);
    expect(mine.every((f) => f.severity === rule?.severity && f.guard === 'builtin')).toBe(true);
  });
});

describe('lexLines', () => {
  it('blanks comments, string and regex contents in code, and keeps strings in text', () => {
    const [a, b, c] = lexLines(
      'x.ts',
      'f("a//b", /x"y/g); // note\nconst d = a / b / c; /* open\nstill */ g(`t ${x}`);',
    );
    expect(a?.code).toBe('f("    ", /   /g);        ');
    expect(a?.text).toBe('f("a//b", /x"y/g);        ');
    expect(b?.code).toBe('const d = a / b / c;        ');
    expect(c?.code).toBe('         g(`      `);');
  });

  it('knows Python triple quotes and Rust lifetimes', () => {
    const py = lexLines('x.py', 's = """a\n# not a comment\n""" # comment');
    expect(py.map((l) => l.code)).toEqual(['s = """ ', '               ', '"""          ']);
    const rs = lexLines('x.rs', "fn f<'a>(s: &'a str) {} // x");
    expect(rs[0]?.code).toBe("fn f<'a>(s: &'a str) {}     ");
  });
});
