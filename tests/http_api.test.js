// http_api.test.js - the JSON API of `ojo serve`, checked against the raw
// trace files it was built from. A real server on 127.0.0.1 (port 0) over a
// real database written by http_mkdb (libojo + ojo_ingest_file).
// Run: OJO_BIN=build/src/ojo OJO_MKDB=build/tests/http_mkdb node --test tests/http_api.test.js
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const OJO = process.env.OJO_BIN;
const MKDB = process.env.OJO_MKDB;
const BIG = 1000000; // events of flow 100 (cwnd), for the timeout test

let dir, db, server, base;
let raw = []; // {time: BigInt, flow: number, type: number, payload: BigInt}
const keyOf = new Map(); // flow id -> flow key (first trace)

function readTraces(outDir) {
  const evs = [];
  for (const name of fs.readdirSync(outDir).sort()) {
    if (!name.endsWith('.ojo')) continue;
    const buf = fs.readFileSync(path.join(outDir, name));
    assert.equal(buf.toString('latin1', 0, 4), 'OJOT');
    const start = buf.readBigUInt64LE(8);
    for (let off = 24; off + 24 <= buf.length; off += 24) {
      evs.push({
        time: start + buf.readBigUInt64LE(off),
        flow: buf.readUInt32LE(off + 8),
        type: buf.readUInt32LE(off + 12),
        payload: buf.readBigUInt64LE(off + 16),
      });
    }
  }
  return evs;
}

function startServer(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(OJO, ['serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error('no URL printed: ' + err)), 10000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/ojo: serving (http:\/\/\S+)\n/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc: p, url: m[1].replace(/\/$/, '') });
      }
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ojo serve exited ${code}: ${err}`));
    });
  });
}

async function get(p, expect = 200) {
  const r = await fetch(base + p);
  const text = await r.text();
  assert.equal(r.status, expect, `${p}: ${r.status} ${text.slice(0, 300)}`);
  return r.headers.get('content-type').startsWith('application/json') ? JSON.parse(text) : text;
}

before(async () => {
  assert.ok(OJO && MKDB, 'OJO_BIN and OJO_MKDB must be set');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ojo-http-'));
  execFileSync(MKDB, [dir, String(BIG)], { stdio: ['ignore', 'pipe', 'inherit'] });
  db = path.join(dir, 'ojo.db');
  raw = readTraces(path.join(dir, 'traces', 'output'));
  server = await startServer(['--db-path', db, '--port', '0']);
  base = server.url;
  const flows = await get('/api/flows?limit=1000');
  for (const f of flows.flows) keyOf.set(f.flow_id, f.key);
});

// Stops a server and returns its exit code (0 = clean shutdown; under
// ASan a leak makes it non-zero).
function stopServer(srv) {
  return new Promise((resolve) => {
    if (srv.proc.exitCode !== null) return resolve(srv.proc.exitCode);
    srv.proc.once('exit', (code) => resolve(code));
    srv.proc.kill('SIGTERM');
  });
}

after(async () => {
  if (server) assert.equal(await stopServer(server), 0, 'ojo serve exit code');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const rawOf = (flows, types) =>
  raw.filter((e) => flows.includes(e.flow) && (!types || types.includes(e.type)));
const cmpEv = (a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
const evKey = (e) => `${e.time}|${e.flow}|${e.type}|${e.payload}`;

test('stats and traces match the raw files', async () => {
  const s = await get('/api/stats');
  assert.equal(s.ready, true);
  assert.equal(s.events, raw.length);
  assert.equal(s.traces, 1);
  assert.equal(s.flows, new Set(raw.map((e) => e.flow)).size);
  const times = raw.map((e) => e.time);
  const min = times.reduce((a, b) => (b < a ? b : a));
  const max = times.reduce((a, b) => (b > a ? b : a));
  assert.equal(s.first_ns, String(min));
  assert.equal(s.last_ns, String(max));
  const t = await get('/api/traces');
  assert.equal(t.traces.length, 1);
  assert.equal(t.traces[0].events, raw.length);
});

test('flows: counts per flow, paging, sorting, filters', async () => {
  const all = await get('/api/flows?limit=1000');
  assert.equal(all.total, all.flows.length);
  for (const f of all.flows) {
    assert.equal(f.events, rawOf([f.flow_id]).length, `flow ${f.flow_id}`);
    const lost = rawOf([f.flow_id], [5, 6]).length;
    assert.equal(f.packets_lost, lost);
  }
  // streams 2..5 belong to connection 1
  for (let s = 2; s <= 5; s++) {
    const f = all.flows.find((x) => x.flow_id === s);
    assert.equal(f.parent_key, keyOf.get(1));
    assert.equal(f.kind, 'stream');
  }
  // paging covers every flow once
  const seen = new Set();
  for (let off = 0; off < all.total; off += 3) {
    const p = await get(`/api/flows?limit=3&offset=${off}&sort=events&order=desc`);
    for (const f of p.flows) seen.add(f.key);
    for (let i = 1; i < p.flows.length; i++)
      assert.ok(p.flows[i - 1].events >= p.flows[i].events);
  }
  assert.equal(seen.size, all.total);
  const conns = await get('/api/flows?kind=connections&limit=1000');
  assert.ok(conns.flows.every((f) => f.parent_key === null));
  const withCwnd = await get('/api/flows?type=48&limit=1000');
  const expect = new Set(raw.filter((e) => e.type === 48).map((e) => e.flow));
  assert.deepEqual(new Set(withCwnd.flows.map((f) => f.flow_id)), expect);
  const kids = await get(`/api/flows?parent=${keyOf.get(1)}`);
  assert.deepEqual(kids.flows.map((f) => f.flow_id).sort(), [2, 3, 4, 5]);
  const byId = await get('/api/flows?q=10');
  assert.ok(byId.flows.some((f) => f.flow_id === 10));
});

test('one flow: streams, type counts, what is missing', async () => {
  const d = await get(`/api/flows/${keyOf.get(1)}`);
  assert.equal(d.flow.flow_id, 1);
  assert.deepEqual(d.streams.map((s) => s.flow_id).sort(), [2, 3, 4, 5]);
  for (const t of d.types) assert.equal(t.count, rawOf([1], [t.type]).length);
  assert.equal(d.metrics.cwnd, rawOf([1], [48]).length);
  assert.equal(d.metrics.data_sent, rawOf([1, 2, 3, 4, 5], [64]).length);
  assert.ok(d.missing.includes('min_rtt'));
  assert.ok(!d.missing.includes('cwnd'));
  const noCc = await get(`/api/flows/${keyOf.get(10)}`);
  assert.ok(noCc.missing.includes('cwnd'));
  assert.ok(noCc.missing.includes('ssthresh'));
  assert.equal(noCc.metrics.rtt_sample, rawOf([10], [51]).length);
  const st = await get(`/api/flows/${keyOf.get(3)}`);
  assert.equal(st.parent.flow_id, 1);
});

test('events: cursor pages give exactly the raw events in order', async () => {
  const key = keyOf.get(1);
  const got = [];
  let cursor = null;
  let total = null;
  let pages = 0;
  do {
    const q = `/api/flows/${key}/events?include_children=1&limit=997` +
      (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
    const p = await get(q);
    const b = BigInt(p.base_ns);
    if (total === null) total = p.total;
    for (const e of p.events) {
      const flowId = [...keyOf].find(([, k]) => k === e.flow)[0];
      got.push({ time: b + BigInt(e.t), flow: flowId, type: e.type, payload: BigInt(e.payload) });
      if (e.length !== undefined)
        assert.equal(BigInt(e.offset) + (BigInt(e.length) << 40n), BigInt(e.payload));
    }
    cursor = p.next_cursor;
    pages++;
  } while (cursor);
  const want = rawOf([1, 2, 3, 4, 5]);
  assert.equal(total, want.length);
  assert.equal(got.length, want.length);
  assert.ok(pages > 5);
  for (let i = 1; i < got.length; i++) assert.ok(got[i - 1].time <= got[i].time, 'time order');
  assert.deepEqual(got.map(evKey).sort(), want.map(evKey).sort());
});

test('events: type filter and time window', async () => {
  const key = keyOf.get(1);
  const d = await get(`/api/flows/${key}`);
  const b = BigInt(d.base_ns);
  const from = 20000000, to = 60000000;
  const p = await get(`/api/flows/${key}/events?types=48,6&from=${from}&to=${to}&limit=10000`);
  const want = rawOf([1], [48, 6]).filter((e) => e.time >= b + BigInt(from) && e.time <= b + BigInt(to));
  assert.equal(p.total, want.length);
  assert.equal(p.events.length, want.length);
  assert.equal(p.next_cursor, null);
  assert.deepEqual(
    p.events.map((e) => `${b + BigInt(e.t)}|${e.type}|${e.payload}`).sort(),
    want.map((e) => `${e.time}|${e.type}|${e.payload}`).sort());
});

test('series: exact points when few', async () => {
  const key = keyOf.get(1);
  const s = await get(`/api/flows/${key}/series?metric=cwnd&points=20000`);
  const want = rawOf([1], [48]).sort(cmpEv);
  assert.equal(s.exact, true);
  assert.equal(s.count, want.length);
  assert.equal(s.series.length, 1);
  const b = BigInt(s.base_ns);
  const got = s.series[0].t.map((t, i) => `${b + BigInt(t)}|${s.series[0].min[i]}`);
  assert.deepEqual(got.sort(), want.map((e) => `${e.time}|${e.payload}`).sort());
  assert.ok(s.series[0].min.every((v, i) => v === s.series[0].max[i]));
  // ssthresh: the "infinite" start value is left out
  const ss = await get(`/api/flows/${key}/series?metric=ssthresh&points=20000`);
  const finite = rawOf([1], [49]).filter((e) => e.payload < 2n ** 53n);
  assert.equal(ss.series[0].t.length, finite.length);
});

function checkBuckets(s, rawEvs, valueOf) {
  const b = BigInt(s.base_ns);
  const from = b + BigInt(s.from);
  const w = BigInt(s.bucket_ns);
  const truth = new Map();
  for (const e of rawEvs) {
    if (e.time < from || e.time > b + BigInt(s.to)) continue;
    const v = valueOf(e);
    if (v === null) continue;
    const i = Number((e.time - from) / w);
    const t = truth.get(i) || { min: v[0], max: v[1], n: 0 };
    t.min = v[0] < t.min ? v[0] : t.min;
    t.max = v[1] > t.max ? v[1] : t.max;
    t.n++;
    truth.set(i, t);
  }
  const ser = s.series[0];
  assert.equal(ser.t.length, truth.size, 'non-empty buckets');
  for (let j = 0; j < ser.t.length; j++) {
    const i = Number((b + BigInt(ser.t[j]) - from) / w);
    const t = truth.get(i);
    assert.ok(t, `bucket ${i}`);
    assert.equal(BigInt(ser.min[j]), t.min, `min of bucket ${i}`);
    assert.equal(BigInt(ser.max[j]), t.max, `max of bucket ${i}`);
    assert.equal(ser.n[j], t.n, `n of bucket ${i}`);
  }
}

test('series: buckets hold the true min and max (big flow)', async () => {
  const key = keyOf.get(100);
  const evs = rawOf([100], [48]);
  for (const pts of [1, 7, 300, 1000]) {
    const s = await get(`/api/flows/${key}/series?metric=cwnd&points=${pts}`);
    assert.equal(s.exact, false);
    assert.equal(s.count, evs.length);
    assert.ok(s.series[0].t.length <= pts);
    assert.equal(s.series[0].n.reduce((a, b) => a + b, 0), evs.length);
    checkBuckets(s, evs, (e) => [e.payload, e.payload]);
  }
  // a zoomed window, with edges inside blocks
  const z = await get(`/api/flows/${key}/series?metric=cwnd&points=500&from=123456789&to=987654321`);
  checkBuckets(z, evs, (e) => [e.payload, e.payload]);
  assert.equal(z.series[0].n.reduce((a, b) => a + b, 0), z.count);
});

test('series: data ranges per stream (offset .. end)', async () => {
  const key = keyOf.get(1);
  const s = await get(`/api/flows/${key}/series?metric=data_sent&points=50`);
  assert.equal(s.kind, 'range');
  assert.equal(s.series.length, 4);
  for (const ser of s.series) {
    const id = [...keyOf].find(([, k]) => k === ser.flow)[0];
    const one = { ...s, series: [ser] };
    checkBuckets(one, rawOf([id], [64]), (e) => {
      const off = e.payload & ((1n << 40n) - 1n);
      return [off, off + (e.payload >> 40n)];
    });
  }
});

test('export: CSV and JSON hold the raw events', async () => {
  const key = keyOf.get(1);
  const csv = await get(`/api/export?flow=${key}&format=csv`);
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'time_ns,trace_id,flow_key,flow_id,type,name,payload');
  const want = rawOf([1]);
  assert.equal(lines.length - 1, want.length);
  const got = lines.slice(1).map((l) => {
    const c = l.split(',');
    return `${c[0]}|${c[3]}|${c[4]}|${c[6]}`;
  });
  assert.deepEqual(got.sort(), want.map(evKey).sort());
  const js = await get(`/api/export?flow=${key}&format=json&include_children=1&types=64`);
  assert.equal(js.events.length, rawOf([1, 2, 3, 4, 5], [64]).length);
  await get(`/api/export?flow=${key}&format=xml`, 400);
});

test('bad parameters answer 400 naming the parameter', async () => {
  const k = keyOf.get(1);
  const cases = [
    ['/api/flows?limit=0', 'limit'],
    ['/api/flows?limit=abc', 'limit'],
    ['/api/flows?limit=1e3', 'limit'],
    ['/api/flows?offset=-1', 'offset'],
    ['/api/flows?sort=bogus', 'sort'],
    ['/api/flows?order=up', 'order'],
    ['/api/flows?kind=x', 'kind'],
    ['/api/flows?trace=0', 'trace'],
    ['/api/flows?type=-4', 'type'],
    ['/api/types?flow=x', 'flow'],
    [`/api/flows/${k}/events?from=1.5`, 'from'],
    [`/api/flows/${k}/events?from=100&to=10`, 'from'],
    [`/api/flows/${k}/events?types=48,x`, 'types'],
    [`/api/flows/${k}/events?cursor=garbage`, 'cursor'],
    [`/api/flows/${k}/events?include_children=2`, 'include_children'],
    [`/api/flows/${k}/events?limit=10001`, 'limit'],
    [`/api/flows/${k}/series`, 'metric'],
    [`/api/flows/${k}/series?metric=cwnd&points=0`, 'points'],
    [`/api/flows/${k}/series?metric=type:abc`, 'metric'],
    ['/api/flows/abc', 'key'],
    ['/api/flows/-3/events', 'key'],
    ['/api/export?format=csv', 'flow'],
    ['/api/stats?timeout_ms=0', 'timeout_ms'],
  ];
  for (const [p, param] of cases) {
    const r = await get(p, 400);
    assert.equal(r.param, param, p);
    assert.equal(typeof r.error, 'string');
  }
});

test('SQL injection attempts are plain data', async () => {
  const before = await get('/api/stats');
  const inj = [
    "' OR 1=1 --", '1; DROP TABLE flows', '%', '_', "\\", '" OR ""="',
  ];
  for (const q of inj) {
    const r = await get('/api/flows?q=' + encodeURIComponent(q));
    assert.equal(r.total, 0, q);
  }
  await get('/api/flows?sort=' + encodeURIComponent('start; DROP TABLE flows'), 400);
  await get('/api/flows?order=' + encodeURIComponent('asc, (SELECT 1)'), 400);
  await get('/api/flows?trace=' + encodeURIComponent('1 OR 1=1'), 400);
  await get('/api/flows/' + encodeURIComponent('1 OR 1=1'), 400);
  const afterStats = await get('/api/stats');
  assert.equal(afterStats.events, before.events);
  assert.equal(afterStats.flows, before.flows);
});

test('unknown paths and flows are 404 JSON; other methods 405', async () => {
  assert.ok((await get('/api/nope', 404)).error);
  assert.ok((await get('/api/flows/99999', 404)).error);
  assert.equal((await get('/api/flows/99999/series?metric=cwnd', 404)).param, 'key');
  assert.ok((await get('/assets/nope.js', 404)).error);
  const r = await fetch(base + '/api/stats', { method: 'POST', body: 'x' });
  assert.equal(r.status, 405);
  await r.text();
});

test('UI: index page at / and for client-side routes', async () => {
  const r = await fetch(base + '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(await r.text(), /<html/i);
  const r2 = await fetch(base + '/flow/1');
  assert.equal(r2.status, 200);
  assert.match(await r2.text(), /<html/i);
});

test('a slow query is cut off while other requests are served', async () => {
  // a fresh server: nothing of the 1M-event flow is decoded or cached yet,
  // so its whole series takes milliseconds, far beyond the 1 ms allowed
  const srv = await startServer(['--db-path', db, '--port', '0', '--no-cache']);
  try {
    const key = keyOf.get(100);
    const slow = fetch(`${srv.url}/api/flows/${key}/series?metric=cwnd&points=20000&timeout_ms=1`);
    const fast = fetch(`${srv.url}/api/stats`);
    const [s, f] = await Promise.all([slow, fast]);
    assert.equal(s.status, 504);
    assert.match((await s.json()).error, /cut off/);
    assert.equal(f.status, 200);
    assert.equal((await f.json()).events, raw.length);
    const again = await fetch(`${srv.url}/api/flows/${key}/series?metric=cwnd&points=100`);
    assert.equal(again.status, 200);
    assert.equal((await again.json()).count, BIG);
  } finally {
    assert.equal(await stopServer(srv), 0);
  }
});

test('live: a commit is announced over SSE', async (t) => {
  const ctl = new AbortController();
  const r = await fetch(base + '/api/live', { signal: ctl.signal });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/event-stream/);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const next = async (ms) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = buf.indexOf('\n\n');
      if (i >= 0) {
        const msg = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (msg.startsWith(':')) continue;
        const ev = /event: (\w+)/.exec(msg)[1];
        return { ev, data: JSON.parse(/data: (.*)/.exec(msg)[1]) };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no SSE message in time');
      const chunk = await Promise.race([
        reader.read(),
        new Promise((_, rej) => setTimeout(() => rej(new Error('SSE timeout')), left)),
      ]);
      if (chunk.done) throw new Error('SSE stream ended');
      buf += dec.decode(chunk.value);
    }
  };
  const hello = await next(5000);
  assert.equal(hello.ev, 'hello');
  assert.equal(hello.data.events, raw.length);
  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'ojo-http2-'));
  try {
    execFileSync(MKDB, [dir2, '0', '0', db], { stdio: ['ignore', 'pipe', 'inherit'] });
    const added = readTraces(path.join(dir2, 'traces', 'output')).length;
    const t0 = Date.now();
    const ch = await next(5000);
    const waited = Date.now() - t0;
    assert.equal(ch.ev, 'change');
    assert.equal(ch.data.traces, 2);
    assert.equal(ch.data.new_traces.length, 1);
    assert.equal(ch.data.new_events, added);
    assert.equal(ch.data.events, raw.length + added);
    assert.ok(ch.data.data_version > hello.data.data_version);
    t.diagnostic(`change announced ${waited} ms after the commit`);
    const s = await get('/api/stats');
    assert.equal(s.data_version, ch.data.data_version);
  } finally {
    ctl.abort();
    fs.rmSync(dir2, { recursive: true, force: true });
  }
});

test('export: qlog through the qlog module', async () => {
  const key = keyOf.get(1);
  const r = await fetch(`${base}/api/export?flow=${key}&format=qlog`);
  const text = await r.text();
  assert.equal(r.status, 200, text.slice(0, 200));
  const records = text.split('\n').map((l) => l.replace(/^\x1e/, '')).filter((l) => l.trim());
  const head = JSON.parse(records[0]);
  assert.equal(head.qlog_version, '0.3');
  assert.ok(records.length > 100);
  for (const l of records.slice(1, 50)) assert.ok(JSON.parse(l).name);
});

test('cli: a port in use is a clear failure, not a shared port', () => {
  // the port of the running server: a second ojo serve must not share it
  const port = new URL(base).port;
  const r = spawnSync(OJO, ['serve', '--db-path', db, '--port', port], { timeout: 10000 });
  assert.equal(r.status, 1, r.stdout.toString());
  assert.match(r.stderr.toString(), /cannot listen: Address already in use/);
});

test('cli: missing database, bad options, --help', () => {
  const missing = spawnSync(OJO, ['serve', '--db-path', path.join(dir, 'nope.db'), '--port', '0']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr.toString(), /^ojo: serve: .*nope\.db: no such database/);
  const badPort = spawnSync(OJO, ['serve', '--port', '99999']);
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr.toString(), /--port/);
  const bogus = spawnSync(OJO, ['serve', '--bogus']);
  assert.equal(bogus.status, 2);
  const help = spawnSync(OJO, ['serve', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout.toString(), /Usage: ojo serve/);
});

test('a database without schema yet is served as empty, not an error', async () => {
  const empty = path.join(dir, 'empty.db');
  fs.writeFileSync(empty, '');
  const srv = await startServer(['--db-path', empty, '--port', '0']);
  try {
    const r = await fetch(srv.url + '/api/stats');
    const s = await r.json();
    assert.equal(r.status, 200);
    assert.equal(s.ready, false);
    assert.equal(s.events, 0);
    const f = await (await fetch(srv.url + '/api/flows')).json();
    assert.equal(f.total, 0);
    assert.equal((await fetch(srv.url + '/api/flows/1')).status, 404);
  } finally {
    assert.equal(await stopServer(srv), 0);
  }
});

test('many concurrent requests get the same answers as sequential ones', async () => {
  const k1 = keyOf.get(1), kb = keyOf.get(100);
  const paths = [
    '/api/stats', '/api/traces', '/api/types', '/api/flows?limit=5',
    `/api/flows/${k1}`, `/api/flows/${kb}/series?metric=cwnd&points=777`,
    `/api/flows/${k1}/series?metric=data_acked&points=100`,
    `/api/flows/${k1}/events?include_children=1&limit=300`,
  ];
  const want = [];
  for (const p of paths) want.push(JSON.stringify(await get(p)));
  const jobs = [];
  for (let i = 0; i < 120; i++) {
    const j = i % paths.length;
    jobs.push(get(paths[j] + (paths[j].includes('?') ? '&' : '?') + `nocache=${i}`)
      .then((r) => {
        if (paths[j] === '/api/stats') delete r.data_version;
        return [j, r];
      }));
  }
  for (const [j, r] of await Promise.all(jobs)) {
    const w = JSON.parse(want[j]);
    if (paths[j] === '/api/stats') delete w.data_version;
    assert.deepEqual(r, w, paths[j]);
  }
});

test('--ui-dir serves files from disk, never outside it', async () => {
  const ui = path.join(dir, 'ui');
  fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<html>disk ui</html>');
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP-SECRET-CONTENT');
  const srv = await startServer(['--db-path', db, '--port', '0', '--ui-dir', ui]);
  try {
    const r = await fetch(srv.url + '/');
    assert.equal(await r.text(), '<html>disk ui</html>');
    const js = await fetch(srv.url + '/assets/app.js');
    assert.match(js.headers.get('content-type'), /javascript/);
    assert.equal(await js.text(), 'console.log(1)');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const x = await fetch(srv.url + p);
      assert.equal(x.status, 404, p);
      assert.ok(!(await x.text()).includes('TOP-SECRET'), p);
    }
    assert.equal((await fetch(srv.url + '/assets/none.js')).status, 404);
  } finally {
    assert.equal(await stopServer(srv), 0);
  }
});

test('embed.cmake: web/dist files become C arrays, or a notice page', () => {
  const script = path.join(__dirname, '..', 'src', 'http', 'embed.cmake');
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'index.html'), 'AB');
  fs.writeFileSync(path.join(dist, 'assets', 'x.js'), '\n');
  const out = path.join(dir, 'assets.c');
  execFileSync('cmake', [`-DOJO_WEB_DIST=${dist}`, `-DOUT=${out}`, '-P', script]);
  const c = fs.readFileSync(out, 'utf8');
  assert.match(c, /\{"\/index\.html", a\d+, 2\}/);
  assert.match(c, /\{"\/assets\/x\.js", a\d+, 1\}/);
  assert.match(c, /0x41,0x42,/);
  assert.match(c, /http_n_assets = 2;/);
  execFileSync('cmake', [`-DOJO_WEB_DIST=${path.join(dir, 'no-dist')}`, `-DOUT=${out}`, '-P', script]);
  const fallback = fs.readFileSync(out, 'utf8');
  assert.match(fallback, /http_n_assets = 1;/);
  const bytes = [...fallback.matchAll(/0x([0-9a-f]{2})/g)].map((m) => parseInt(m[1], 16));
  assert.match(Buffer.from(bytes).toString(), /UI not built: run <code>make web<\/code>/);
});
