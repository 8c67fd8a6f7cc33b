// Secrets (issue 5): after a whole session (settings with a secret saved, Test connection,
// signing, a wrong secret, a crash and a resume), nothing the app, WebKit or the keyring daemon
// wrote under the run's scratch home (config, journal database and its -wal, logs, WebView local
// storage / IndexedDB / caches) holds a client secret or an access token.
//
// Every token the sandboxes issue is JWT-shaped and starts with "eyJhbG" (crates/sandbox/src/auth.rs,
// like the real service's), so any occurrence of that prefix is a leaked token, whichever sandbox
// issued it. Texts are searched as UTF-8 and as UTF-16LE (WebKit's local storage keeps UTF-16).
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const TOKEN_PREFIX = 'eyJhbG';

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) yield* files(path);
    else if (st.isFile()) yield path;
  }
}

/** [file, needle] for each needle found in a file under `dir`. */
export function scan(dir, needles) {
  const patterns = needles.flatMap((n) => [
    [n, Buffer.from(n, 'utf8')],
    [n, Buffer.from(n, 'utf16le')],
  ]);
  const found = [];
  let count = 0;
  for (const file of files(dir)) {
    count += 1;
    let bytes;
    try {
      bytes = readFileSync(file);
    } catch {
      continue; // sockets or files being removed
    }
    for (const [needle, pattern] of patterns) {
      if (bytes.includes(pattern)) found.push([relative(dir, file), needle]);
    }
  }
  return { found, count };
}

/** ctx: { check, scratch, secrets: string[] } */
export async function secretsChecks(ctx) {
  await ctx.check('secrets: the scanner finds a planted secret and token (UTF-8 and UTF-16)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signstash-e2e-scan-'));
    try {
      writeFileSync(join(dir, 'a'), `x${ctx.secrets[0]}x`);
      writeFileSync(join(dir, 'b'), Buffer.from(`{"t":"${TOKEN_PREFIX}GciOi"}`, 'utf16le'));
      const { found } = scan(dir, [...ctx.secrets, TOKEN_PREFIX]);
      const got = found.map(([f, n]) => `${f}:${n}`).sort();
      if (JSON.stringify(got) !== JSON.stringify([`a:${ctx.secrets[0]}`, `b:${TOKEN_PREFIX}`])) throw new Error(JSON.stringify(got));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  await ctx.check('secrets: no client secret and no access token anywhere in the scratch home (config, journal + wal, logs, WebView storage)', async () => {
    const { found, count } = scan(ctx.scratch, [...ctx.secrets, TOKEN_PREFIX]);
    const all = [...files(ctx.scratch)].map((f) => relative(ctx.scratch, f));
    // The scan is only worth something if it saw what the session wrote.
    for (const expected of [/journal\.sqlite3$/, /settings\.json$/, /logs\//, /WebKit|webkitgtk|storage/i]) {
      if (!all.some((f) => expected.test(f))) throw new Error(`nothing matching ${expected} under ${ctx.scratch}: ${JSON.stringify(all.slice(0, 40))}`);
    }
    if (found.length > 0) throw new Error(`found: ${JSON.stringify(found)}`);
    console.log(`       figures: ${count} files scanned under the scratch home, none holds a secret or a token`);
  });
}
