#!/usr/bin/env node
// Local Bluesky network for Vigie's integration tests: a throwaway PostgreSQL cluster and
// redis-server, then @atproto/dev-env's TestNetwork (in-memory PLC + PDS + AppView + Ozone),
// all listening on 127.0.0.1 only. Prints ONE JSON line on stdout when ready; logs go to stderr.
//
//   node start.mjs [--seed FILE.json]
//
// Stops cleanly (exit 0) on SIGTERM, SIGINT, POST /shutdown on the control URL, or when stdin
// is a pipe/socket and it closes. If this process is SIGKILLed, a detached reaper stops
// postgres and redis and removes the temp dir within ~1 s. See README.md.

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// 1. Everything binds 127.0.0.1. dev-env's servers call listen(port) (all interfaces); patch
//    net.Server.prototype.listen (http, express and ws servers all go through it) before any
//    of them is created. Services still advertise http://localhost:PORT (the PLC/DID documents
//    need the name `localhost`); resolve it to 127.0.0.1 first.
// ---------------------------------------------------------------------------------------------
const LOOPBACK = '127.0.0.1';
const WILDCARD = new Set(['0.0.0.0', '::', '', undefined, null]);
const origListen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(...args) {
  const a0 = args[0];
  if (a0 === undefined || a0 === null || typeof a0 === 'function') {
    // listen() / listen(cb): random port on all interfaces
    args = [0, LOOPBACK, ...args.filter((x) => typeof x === 'function')];
  } else if (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0))) {
    if (typeof args[1] === 'string' || args[1] === null || args[1] === undefined) {
      if (args.length < 2 || WILDCARD.has(args[1])) args[1] = LOOPBACK;
    } else {
      args.splice(1, 0, LOOPBACK); // listen(port, backlog|cb)
    }
  } else if (typeof a0 === 'object' && a0 !== null && !a0._handle && !('fd' in a0) && !('path' in a0)) {
    if (WILDCARD.has(a0.host)) args[0] = { ...a0, host: LOOPBACK };
  }
  return origListen.apply(this, args);
};
dns.setDefaultResultOrder('ipv4first');

// Keep stdout for the single JSON line: anything the libraries print goes to stderr.
const stdoutWrite = process.stdout.write.bind(process.stdout);
// A test that stops reading our stdout/stderr must not crash us with EPIPE.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const log = (...m) => console.error(`[bluesky-test-server ${new Date().toISOString().slice(11, 23)}]`, ...m);

// Imported after the patch so the listen() calls made at import time (none today) are covered.
const { TestNetwork } = await import('@atproto/dev-env');

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const out = { seed: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seed') out.seed = argv[++i];
    else if (a.startsWith('--seed=')) out.seed = a.slice('--seed='.length);
    else if (a === '-h' || a === '--help') {
      console.error('usage: node start.mjs [--seed FILE.json]   (see README.md)');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    origListen.call(s, 0, LOOPBACK, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

function pgBinDir() {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && fs.existsSync(path.join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')));
  } catch {}
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length) return path.join(root, versions[0], 'bin');
  const initdb = which('initdb');
  if (initdb) return path.dirname(initdb);
  throw new Error('PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)');
}

// Postgres refuses to run as root: when we are root, run it as the `postgres` system user
// (created by Debian's postgresql package), falling back to `nobody`.
function pgUser() {
  if (process.getuid() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      if (uid > 0) return { name, uid, gid };
    } catch {}
  }
  throw new Error('running as root but no unprivileged user (postgres/nobody) to run PostgreSQL as');
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    state.helpers.add(child);
    child.on('exit', () => state.helpers.delete(child));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, sig) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? sig}):\n${out}`)),
    );
  });
}

function tcpReady(port, payload, expect) {
  return new Promise((resolve) => {
    const s = net.connect({ host: LOOPBACK, port });
    let buf = '';
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => (payload ? s.write(payload) : done(true)));
    s.on('data', (d) => {
      buf += d;
      if (buf.includes(expect)) done(true);
    });
  });
}

async function waitFor(what, fn, child, timeoutMs = 30000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited early (code ${child.exitCode})`);
    if (await fn()) return;
    await sleep(50);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

// ---------------------------------------------------------------------------------------------
// State + cleanup
// ---------------------------------------------------------------------------------------------
const state = {
  tmp: null,
  pidsFile: null,
  reaper: null,
  pg: null,
  redis: null,
  network: null,
  control: null,
  stopping: null,
  helpers: new Set(), // short-lived commands (initdb, pg_isready) still running
};

function recordPid(sig, pid) {
  if (state.pidsFile) fs.appendFileSync(state.pidsFile, `${sig} ${pid}\n`);
}

// A detached watchdog: if this node process dies without cleaning up (SIGKILL, OOM), it stops
// the child servers and removes the temp dir.
function startReaper() {
  const script = `
    parent=$1; tmp=$2
    while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done
    if [ -f "$tmp/pids" ]; then
      while read -r sig pid; do kill -s "$sig" "$pid" 2>/dev/null; done < "$tmp/pids"
      for i in 1 2 3 4 5 6 7 8 9 10; do
        alive=0
        while read -r sig pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$tmp/pids"
        [ $alive = 0 ] && break; sleep 0.5
      done
      while read -r sig pid; do kill -s KILL "$pid" 2>/dev/null; done < "$tmp/pids"
    fi
    rm -rf "$tmp"`;
  const r = spawn('bash', ['-c', script, 'vigie-bsky-reaper', String(process.pid), state.tmp], {
    detached: true,
    stdio: 'ignore',
  });
  r.unref();
  return r;
}

async function stopChild(child, sig, graceMs = 8000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    child.kill(sig);
  } catch {}
  const t = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(t);
}

async function withTimeout(p, ms, what) {
  let t;
  const timeout = new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`${what} timed out`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}

function shutdown(reason, code = 0) {
  if (state.stopping) return state.stopping;
  state.stopping = (async () => {
    const t0 = Date.now();
    log(`shutting down (${reason})`);
    if (state.control) state.control.close();
    if (state.network) {
      try {
        await withTimeout(state.network.close(), 20000, 'network.close()');
        if (process.env.VIGIE_BSKY_VERBOSE) log(`network closed after ${Date.now() - t0} ms`);
      } catch (e) {
        log('network.close():', e?.message ?? e);
      }
    }
    await Promise.all([
      stopChild(state.redis, 'SIGTERM'),
      stopChild(state.pg, 'SIGINT'),
      ...[...state.helpers].map((c) => stopChild(c, 'SIGTERM', 3000)),
    ]);
    if (state.reaper) {
      try {
        process.kill(state.reaper.pid, 'SIGKILL');
      } catch {}
    }
    if (state.tmp) fs.rmSync(state.tmp, { recursive: true, force: true });
    log(`stopped in ${Date.now() - t0} ms`);
    process.exit(code);
  })();
  return state.stopping;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL + Redis
// ---------------------------------------------------------------------------------------------
async function startPostgres() {
  const bin = pgBinDir();
  const user = pgUser();
  const dir = path.join(state.tmp, 'pg');
  fs.mkdirSync(dir, { mode: 0o700 });
  const ids = {};
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    ids.uid = user.uid;
    ids.gid = user.gid;
  }
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  if (user) env.HOME = dir;
  await run(
    path.join(bin, 'initdb'),
    ['-D', dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    { cwd: dir, env, ...ids },
  );
  const port = await freePort();
  const pg = spawn(
    path.join(bin, 'postgres'),
    [
      '-D', dir,
      '-p', String(port),
      '-c', `listen_addresses=${LOOPBACK}`,
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'full_page_writes=off',
      '-c', 'synchronous_commit=off',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=32MB',
      '-c', 'log_min_messages=warning',
    ],
    { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], ...ids },
  );
  state.pg = pg;
  recordPid('TERM', pg.pid);
  let pgLog = '';
  pg.stderr.on('data', (d) => {
    pgLog += d;
    if (process.env.VIGIE_BSKY_VERBOSE) process.stderr.write(d);
  });
  const pgIsReady = path.join(bin, 'pg_isready');
  try {
    await waitFor(
      'postgres',
      async () => {
        try {
          await run(pgIsReady, ['-q', '-h', LOOPBACK, '-p', String(port), '-U', 'postgres']);
          return true;
        } catch {
          return false;
        }
      },
      pg,
    );
  } catch (e) {
    throw new Error(`${e.message}\n${pgLog}`);
  }
  return { port, url: `postgresql://postgres@${LOOPBACK}:${port}/postgres`, user: user?.name ?? os.userInfo().username };
}

async function startRedis() {
  const bin = process.env.REDIS_SERVER || which('redis-server') || '/usr/bin/redis-server';
  if (!fs.existsSync(bin)) throw new Error('redis-server not found (apt-get install redis-server)');
  const dir = path.join(state.tmp, 'redis');
  fs.mkdirSync(dir);
  const port = await freePort();
  const redis = spawn(
    bin,
    ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', dir,
      '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  state.redis = redis;
  recordPid('TERM', redis.pid);
  let out = '';
  redis.stdout.on('data', (d) => (out += d));
  redis.stderr.on('data', (d) => (out += d));
  try {
    await waitFor('redis-server', () => tcpReady(port, 'PING\r\n', '+PONG'), redis);
  } catch (e) {
    throw new Error(`${e.message}\n${out}`);
  }
  return { port, host: `${LOOPBACK}:${port}` };
}

// ---------------------------------------------------------------------------------------------
// XRPC helpers (plain HTTP against the PDS, as a client would)
// ---------------------------------------------------------------------------------------------
async function xrpc(base, nsid, { body, token, query } = {}) {
  const url = new URL(`/xrpc/${nsid}`, base);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: body !== undefined ? 'POST' : 'GET',
    headers,
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { raw: text };
  }
  if (!res.ok) {
    const err = new Error(`${nsid}: HTTP ${res.status} ${json.error ?? ''} ${json.message ?? text}`);
    err.status = res.status;
    throw err;
  }
  return json;
}

const accounts = new Map(); // handle -> { did, handle, password, app_password }

async function createAccount(pdsUrl, handle, password) {
  if (!/^[a-z0-9][a-z0-9-]*\.test$/.test(handle)) throw new Error(`handle must look like name.test: ${handle}`);
  if (accounts.has(handle)) return accounts.get(handle);
  password ??= randomBytes(12).toString('base64url');
  const acct = await xrpc(pdsUrl, 'com.atproto.server.createAccount', {
    body: { handle, email: `${handle.split('.')[0]}@vigie.test`, password },
  });
  const appPw = await xrpc(pdsUrl, 'com.atproto.server.createAppPassword', {
    token: acct.accessJwt,
    body: { name: 'vigie-tests' },
  });
  const info = { handle, did: acct.did, password, app_password: appPw.password };
  accounts.set(handle, info);
  return info;
}

// items: array of strings, or of { text, createdAt?, langs?, handle? } (handle defaults to
// alice.test; an unknown name.test handle is created on the fly).
async function seedPosts(network, items, defaultHandle) {
  if (!Array.isArray(items)) throw new Error('seed: expected an array of texts or post objects');
  const pdsUrl = network.pds.url;
  const sessions = new Map();
  const created = [];
  for (const item of items) {
    const post = typeof item === 'string' ? { text: item } : item;
    if (!post || typeof post.text !== 'string') throw new Error('seed: each post needs a string "text"');
    const handle = post.handle ?? defaultHandle;
    const acct = await createAccount(pdsUrl, handle);
    if (!sessions.has(handle)) {
      const s = await xrpc(pdsUrl, 'com.atproto.server.createSession', {
        body: { identifier: handle, password: acct.password },
      });
      sessions.set(handle, s.accessJwt);
    }
    const record = {
      $type: 'app.bsky.feed.post',
      text: post.text,
      createdAt: post.createdAt ?? new Date().toISOString(),
    };
    if (post.langs) record.langs = post.langs;
    const res = await xrpc(pdsUrl, 'com.atproto.repo.createRecord', {
      token: sessions.get(handle),
      body: { repo: acct.did, collection: 'app.bsky.feed.post', record },
    });
    created.push({ uri: res.uri, cid: res.cid, text: post.text, handle, did: acct.did, createdAt: record.createdAt });
  }
  await network.processAll();
  return created;
}

// ---------------------------------------------------------------------------------------------
// Control endpoint: POST /seed, POST /accounts, POST /follow, POST /process, POST /shutdown,
// GET /health
// ---------------------------------------------------------------------------------------------
function startControl(network, defaultHandle) {
  let queue = Promise.resolve(); // serialise mutations
  const server = http.createServer((req, res) => {
    const reply = (status, obj) => {
      const body = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      const route = `${req.method} ${url.pathname}`;
      let body = {};
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          return reply(400, { error: 'invalid JSON body' });
        }
      }
      const task = async () => {
        switch (route) {
          case 'GET /health':
            return { ok: true };
          case 'POST /seed': {
            const items = Array.isArray(body) ? body : body.posts ?? body.texts;
            const handle = Array.isArray(body) ? defaultHandle : body.handle ?? defaultHandle;
            return { posts: await seedPosts(network, items, handle) };
          }
          case 'POST /accounts': {
            const a = await createAccount(network.pds.url, body.handle, body.password);
            await network.processAll();
            return a;
          }
          case 'POST /follow': {
            // { follower, subject }: handles; the follower is created if it does not exist.
            const subject = accounts.get(body.subject);
            if (!subject) {
              const e = new Error(`unknown subject ${body.subject}`);
              e.status = 400;
              throw e;
            }
            const follower = await createAccount(network.pds.url, body.follower);
            const s = await xrpc(network.pds.url, 'com.atproto.server.createSession', {
              body: { identifier: follower.handle, password: follower.password },
            });
            const record = { $type: 'app.bsky.graph.follow', subject: subject.did, createdAt: new Date().toISOString() };
            const res = await xrpc(network.pds.url, 'com.atproto.repo.createRecord', {
              token: s.accessJwt,
              body: { repo: follower.did, collection: 'app.bsky.graph.follow', record },
            });
            await network.processAll();
            return { uri: res.uri };
          }
          case 'POST /process':
            await network.processAll();
            return { ok: true };
          case 'POST /shutdown':
            setImmediate(() => shutdown('POST /shutdown'));
            return { ok: true };
          default: {
            const e = new Error(`no route ${route}`);
            e.status = 404;
            throw e;
          }
        }
      };
      queue = queue
        .then(task)
        .then((out) => reply(200, out))
        .catch((e) => reply(e.status === 404 ? 404 : e.status && e.status < 500 ? 400 : 500, { error: e.message }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, LOOPBACK, () => resolve(server));
  });
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------
async function main() {
  const args = parseArgs(process.argv.slice(2));
  const seedItems = args.seed ? JSON.parse(fs.readFileSync(args.seed, 'utf8')) : null;
  const t0 = Date.now();

  state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-bsky-'));
  fs.chmodSync(state.tmp, 0o755); // the postgres user must reach tmp/pg
  state.pidsFile = path.join(state.tmp, 'pids');
  fs.writeFileSync(state.pidsFile, '');
  state.reaper = startReaper();

  // allSettled: on failure, let the other one finish starting so shutdown can stop it.
  const settled = await Promise.allSettled([startPostgres(), startRedis()]);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [pg, redis] = settled.map((r) => r.value);
  log(`postgres on ${LOOPBACK}:${pg.port} (as ${pg.user}), redis on ${redis.host} (${Date.now() - t0} ms)`);

  // dev-env puts the PDS data dirs and blobstores under os.tmpdir(): keep them in our temp dir.
  const dataTmp = path.join(state.tmp, 'data');
  fs.mkdirSync(dataTmp);
  process.env.TMPDIR = dataTmp;
  process.env.REDIS_HOST = redis.host;
  process.env.DB_POSTGRES_URL = pg.url;

  state.network = await TestNetwork.create({
    dbPostgresUrl: pg.url,
    dbPostgresSchema: 'vigie', // letters and underscores only
  });
  const network = state.network;
  log(`network up (${Date.now() - t0} ms): pds ${network.pds.url}, appview ${network.bsky.url}, plc ${network.plc.url}`);

  const handle = 'alice.test';
  const alice = await createAccount(network.pds.url, handle);
  await network.processAll();
  if (seedItems) {
    const posts = await seedPosts(network, seedItems, handle);
    log(`seeded ${posts.length} posts`);
  }
  state.control = await startControl(network, handle);
  const controlUrl = `http://${LOOPBACK}:${state.control.address().port}`;

  const line = {
    ready: true,
    pds: network.pds.url,
    appview: network.bsky.url,
    appview_did: network.bsky.ctx.cfg.serverDid,
    plc: network.plc.url,
    control: controlUrl,
    handle,
    did: alice.did,
    password: alice.password,
    app_password: alice.app_password,
    pid: process.pid,
    startup_ms: Date.now() - t0,
  };
  stdoutWrite(JSON.stringify(line) + '\n');
  log(`ready in ${line.startup_ms} ms`);
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGHUP', () => shutdown('SIGHUP'));

// Stop when our stdin (a pipe from the test) closes: the test dropped it or died. A TTY or
// /dev/null stdin is not watched (a /dev/null stdin would "close" at once).
try {
  const st = fs.fstatSync(0);
  if (st.isFIFO() || st.isSocket()) {
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }
} catch {}

main().catch((e) => {
  log('startup failed:', e?.stack ?? e);
  try {
    stdoutWrite(JSON.stringify({ ready: false, error: String(e?.message ?? e) }) + '\n');
  } catch {}
  shutdown('startup failure', 1);
});
