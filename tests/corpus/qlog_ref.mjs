#!/usr/bin/env node
// qlog_ref.mjs — reference summaries of qlog traces, written independently of
// Ojo's importer (src/qlog): one idea — read any qlog container (JSON, NDJSON,
// JSON-SEQ, complete or cut short), reduce every trace to a few plain numbers,
// and print them exactly as the old Python tool (tools/qlog_ref.py) did, so
// `--check` can compare byte for byte with tests/corpus/qlog/expected/.
//
//   node tests/corpus/qlog_ref.mjs --base DIR --out-dir OUT FILE...
//       writes OUT/<FILE relative to DIR>.summary.json for every FILE
//   node tests/corpus/qlog_ref.mjs --check --base DIR [FILE...]
//       recomputes and compares with DIR/expected/<FILE>.summary.json
//       (no FILE: every file under DIR that has such a summary); prints one
//       line per differing field, exit 1 on any difference (or nothing to
//       check), 0 when all match, 2 on a usage error.
//   A FILE is a path from the current directory, or from DIR when no such
//   file exists there (so "--base DIR ngtcp2/x.sqlog" works from anywhere).
//
// Summary fields (derived from the corpus data and its expected summaries)
//
// File level
//   file          path relative to --base, '/'-separated.
//   format        "json-seq" when the first non-blank character is RS (0x1e);
//                 "ndjson" when the first line alone is a complete JSON object
//                 and more text follows; "json" otherwise (contained JSON).
//   truncated     the text ends inside a value: the last JSON-SEQ record or
//                 NDJSON line stops mid-value, or the contained JSON is not
//                 closed. The unfinished record / event is dropped, complete
//                 ones before it are kept (contained JSON is read as a prefix).
//   bad_records   JSON-SEQ records / NDJSON lines that do not parse, except a
//                 last one cut mid-value (contained JSON with a syntax error: 1,
//                 and what precedes the error is kept as for a truncation).
//   qlog_version, qlog_format, file_schema, serialization_format, title
//                 copied from the file header (contained root object, or the
//                 first record of JSON-SEQ / NDJSON), in this order, only when
//                 present.
//   connections   one per trace: each element of "traces", the "trace" of a
//                 JSON-SEQ / NDJSON header, or the root itself for the pre-spec
//                 0.1 layout (root-level "fields", "events", "vantagepoint",
//                 "connectionid"; "starttime" is not a reference time).
//   file_bytes    size of the file in bytes.
//
// Connection level
//   trace_index   position of the trace in the file.
//   title         trace "title", else null.
//   vantage_point trace "vantage_point" with keys type, name, flow first, then
//                 any others in file order; 0.1 "vantagepoint" becomes {type};
//                 {} when absent (e.g. cut off before it).
//   group_id      common_fields.group_id, else trace group_id, else the ODCID,
//                 else 0.1 "connectionid", else null.
//   odcid         common_fields.ODCID (or odcid), else null.
//   time.units    configuration.time_units, else "ms".
//   time.time_format, time.reference_time
//                 common_fields values (trace level as fallback) copied as
//                 written (string, number or object), else null.
//   time.basis    "delta_cumsum" when time_format is "relative_to_previous_event"
//                 or "delta" (event times are summed in file order), else
//                 "relative" (event times used as written; absolute or
//                 reference_time offsets are never added).
//   event_count   well-formed events. An event is malformed (and then ignored
//                 by every other field) when it is not an array/object, when an
//                 array event has not exactly one value per event_fields /
//                 fields entry, when it has no name, or when its time is not a
//                 number (numeric strings such as "126536" are numbers).
//   malformed_events  the others.
//   events_by_name    count per name, sorted by code point. The name is "name"
//                 of object events, else "category:event" from the columns
//                 category and event / event_type / type, as written (case kept).
//   packets_sent / packets_received / packets_lost
//                 events whose name, after the last ':' and lower-cased, is
//                 packet_sent (or 0.1 packet_tx) / packet_received (packet_rx) /
//                 packet_lost. Datagram events are not packets.
//   stream_ids_sent / stream_ids_received
//                 distinct stream ids of frames with frame_type "stream" (any
//                 case) in data.frames of sent / received packets. The id is
//                 stream_id, else id; ids compare as the JSON value (3 == 3.0,
//                 3 != "3"); a stream frame with neither key still counts, under
//                 one "unknown" id (0.1 files write "stream.stream_id").
//   stream_ids_with_stream_frames  size of the union of both sets.
//   stream_bytes_sent / _received  sum of those frames' length (else
//                 raw.payload_length, else 0).
//   cwnd_max / cwnd_last  over metric events (name after ':' is metrics_updated,
//                 metric_update or recovery_metrics_updated): congestion_window,
//                 else cwnd, as written; null when no such value.
//   smoothed_rtt_min_ms / _max_ms  data.smoothed_rtt of those events, in
//                 time.units like event times (us: /1000, anything else is
//                 ms), rounded to 3 decimals; null when no such value.
//   first_time_ms / last_time_ms  time of the first / last well-formed event
//                 (after the delta sum), in ms, rounded to 3 decimals; null
//                 without events. configuration.time_offset is not added.
//
// Not decided by the corpus (choices made here, any would reproduce it):
// first/last rather than min/max time (no trace goes back in time); the
// "unknown" stream id rather than reading 0.1 dotted keys (only
// v0.1_ngtcp2-pcap has such a frame, and its "stream.length" is not read:
// stream_bytes_received 0); which malformed shapes beyond the empty array []
// (the only one in the corpus); group_id precedence when group_id and ODCID
// differ; time_format "absolute" (absent); a bad record before the last one.
//
// Numbers are written as Python would: rounding is round-half-even on the
// exact binary value, floats always carry a '.', ints never do. The JSON
// reader below keeps that distinction: a literal such as 5.0 is read as a
// boxed Number (new Number(5)), and large integers as BigInt.

import fs from 'node:fs';
import path from 'node:path';

// ---------------------------------------------------------------- JSON reader

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const NUMBER_CHARS = /[-+0-9.eE]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const UNCLOSED_STRING = /"(?:[^"\\]|\\[\s\S])*\\?$/y;
const LITERALS = [['true', true], ['false', false], ['null', null],
	['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]];

// Parses text[start, end). Returns {value, complete, eof, open}: value is what
// was read (containers still open at the end stay attached to their parent,
// unfinished scalars are left out), eof is true when the text ended inside a
// value, open holds the containers that were never closed.
function parseJson(text, start = 0, end = text.length) {
	const stack = [];
	let i = start, root, hasRoot = false;
	const result = (complete, eof) =>
		({ value: root, hasRoot, complete, eof, open: new Set(stack.map((f) => f.box)) });
	const put = (v) => {
		if (!stack.length) { root = v; hasRoot = true; return; }
		const top = stack[stack.length - 1];
		if (top.isArray) top.box.push(v);
		else Object.defineProperty(top.box, top.key, { value: v, enumerable: true, writable: true, configurable: true });
		top.state = 'after';
	};
	for (;;) {
		while (i < end && ' \t\n\r'.includes(text[i])) i++;
		if (hasRoot && !stack.length) return result(i >= end, false);
		if (i >= end) return result(false, true);
		const top = stack[stack.length - 1], c = text[i];
		if (top && top.state === 'after') {
			if (c === ',') { top.state = top.isArray ? 'value' : 'key'; i++; continue; }
			if (c !== (top.isArray ? ']' : '}')) return result(false, false);
			stack.pop(); i++; continue;
		}
		if (top && top.state === 'first' && c === (top.isArray ? ']' : '}')) { stack.pop(); i++; continue; }
		if (top && !top.isArray && top.state !== 'value') {
			const s = readString(text, i, end);
			if (!s.ok) return result(false, s.eof);
			i = s.next;
			while (i < end && ' \t\n\r'.includes(text[i])) i++;
			if (i >= end) return result(false, true);
			if (text[i] !== ':') return result(false, false);
			top.key = s.value; top.state = 'value'; i++;
			continue;
		}
		if (c === '{' || c === '[') {
			const box = c === '{' ? {} : [];
			put(box);
			stack.push({ box, isArray: c === '[', state: 'first', key: null });
			i++; continue;
		}
		const s = readScalar(text, i, end);
		if (!s.ok) return result(false, s.eof);
		put(s.value); i = s.next;
	}
}

function readString(text, i, end) {
	STRING.lastIndex = i;
	const m = STRING.exec(text);
	if (m && i + m[0].length <= end) {
		const raw = m[0];
		return { ok: true, next: i + raw.length, value: raw.includes('\\') ? JSON.parse(raw) : raw.slice(1, -1) };
	}
	UNCLOSED_STRING.lastIndex = i;
	return { ok: false, eof: text[i] === '"' && UNCLOSED_STRING.test(text.slice(0, end)) };
}

function readScalar(text, i, end) {
	if (text[i] === '"') return readString(text, i, end);
	for (const [word, value] of LITERALS) {
		if (text.startsWith(word, i) && i + word.length <= end) return { ok: true, next: i + word.length, value };
		if (end - i < word.length && word.startsWith(text.slice(i, end))) return { ok: false, eof: true };
	}
	NUMBER_CHARS.lastIndex = i;
	const chars = NUMBER_CHARS.exec(text)[0];
	if (chars && i + chars.length >= end) return { ok: false, eof: true };
	NUMBER.lastIndex = i;
	const m = NUMBER.exec(text);
	if (!m || m[0].length !== chars.length) return { ok: false, eof: false };
	return { ok: true, next: i + m[0].length, value: numberValue(m[0], m[1] || m[2]) };
}

// Python keeps 5.0 a float and 2**60 exact: box integral floats, BigInt big ints.
function numberValue(token, isFloat) {
	const v = Number(token);
	if (isFloat) return Number.isInteger(v) ? new Number(v) : v;
	return Number.isSafeInteger(v) ? v : BigInt(token);
}

// A JSON value as a plain number (numeric strings too), or NaN.
function num(v) {
	if (typeof v === 'number') return v;
	if (v instanceof Number) return v.valueOf();
	if (typeof v === 'bigint') return Number(v);
	if (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
	return NaN;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Number);

// ------------------------------------------------- JSON writer (Python style)

// json.dump(value, indent=1) with ensure_ascii, as the Python tool wrote it.
function pyDump(v, indent = '') {
	if (v === null || v === undefined) return 'null';
	if (v === true || v === false) return String(v);
	if (typeof v === 'string') return pyString(v);
	if (typeof v === 'bigint') return v.toString();
	if (v instanceof Number) return pyFloat(v.valueOf());
	if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
	const inner = indent + ' ';
	if (Array.isArray(v)) {
		if (!v.length) return '[]';
		return '[\n' + v.map((x) => inner + pyDump(x, inner)).join(',\n') + '\n' + indent + ']';
	}
	const keys = Object.keys(v);
	if (!keys.length) return '{}';
	return '{\n' + keys.map((k) => inner + pyString(k) + ': ' + pyDump(v[k], inner)).join(',\n') + '\n' + indent + '}';
}

function pyString(s) {
	const named = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
	return '"' + s.replace(/[^ -~]|["\\]/g, (c) =>
		named[c] || '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

// repr(float): shortest digits, exponent form below 1e-4 and from 1e16.
function pyFloat(x) {
	if (Number.isNaN(x)) return 'NaN';
	if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
	const sign = x < 0 || Object.is(x, -0) ? '-' : '';
	const [mant, e] = Math.abs(x).toExponential().split('e');
	const digits = mant.replace('.', ''), exp = Number(e);
	if (exp < -4 || exp >= 16) {
		const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
		return sign + m + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
	}
	if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
	const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
	return sign + int + '.' + (digits.slice(exp + 1) || '0');
}

// round(x, 3): toFixed rounds the exact binary value, ties away from zero;
// exact ties (x * 16 odd) go to the even neighbour as in Python.
function round3(x) {
	let r = Number(x.toFixed(3)) || (x < 0 || Object.is(x, -0) ? -0 : 0);
	if (Number.isInteger(x * 16) && !Number.isInteger(x * 8) && Math.round(Math.abs(r) * 1000) % 2 === 1)
		r -= Math.sign(x) * 0.001, r = Number(r.toFixed(3));
	return new Number(r);
}

// ------------------------------------------------------------- containers

// Splits a file into {format, truncated, bad_records, header, traces}, each
// trace being {trace: its metadata object, events: its raw events}.
function readContainer(text) {
	const first = text.search(/\S/);
	if (text[first] === '\x1e') return readRecords(text, 'json-seq', '\x1e');
	const nl = text.indexOf('\n', first);
	if (nl >= 0 && /\S/.test(text.slice(nl))) {
		const line = parseJson(text, first, nl);
		if (line.complete && isObject(line.value)) return readRecords(text, 'ndjson', '\n');
	}
	return readContained(text);
}

// JSON-SEQ / NDJSON: a header record holding "trace", then one event per record.
function readRecords(text, format, separator) {
	const out = { format, truncated: false, bad_records: 0, header: {}, traces: [] };
	const records = text.split(separator).filter((r) => /\S/.test(r));
	const events = [];
	records.forEach((record, n) => {
		const r = parseJson(record);
		if (!r.complete) {
			if (r.eof && n === records.length - 1) out.truncated = true;
			else out.bad_records++;
			return;
		}
		if (n === 0 && isObject(r.value) && !('name' in r.value)) out.header = r.value;
		else events.push(r.value);
	});
	const trace = isObject(out.header.trace) ? out.header.trace : {};
	out.traces.push({ trace, events });
	return out;
}

// Contained JSON: {"traces": [...]} or the 0.1 root that is itself the trace.
function readContained(text) {
	const r = parseJson(text);
	const root = isObject(r.value) ? r.value : {};
	const out = { format: 'json', truncated: r.eof, bad_records: r.complete || r.eof ? 0 : 1, header: root, traces: [] };
	const whole = (e) => !r.open.has(e);
	if (Array.isArray(root.traces)) {
		for (const t of root.traces.filter(isObject))
			out.traces.push({ trace: t, events: Array.isArray(t.events) ? t.events.filter(whole) : [] });
	} else if (Array.isArray(root.events)) {
		out.traces.push({ trace: root, events: root.events.filter(whole) });
	}
	return out;
}

// ------------------------------------------------------------- one trace

function traceTime(trace) {
	const common = isObject(trace.common_fields) ? trace.common_fields : {};
	const config = isObject(trace.configuration) ? trace.configuration : {};
	const time_format = common.time_format ?? trace.time_format ?? null;
	return {
		units: config.time_units ?? common.time_units ?? 'ms',
		time_format,
		reference_time: common.reference_time ?? trace.reference_time ?? null,
		basis: ['relative_to_previous_event', 'delta'].includes(time_format) ? 'delta_cumsum' : 'relative',
	};
}

const toMs = (value, units) => (units === 'us' ? value / 1000 : value);

function vantagePoint(trace) {
	if (typeof trace.vantagepoint === 'string') return { type: trace.vantagepoint };
	const vp = isObject(trace.vantage_point) ? trace.vantage_point : {};
	const out = {};
	for (const k of ['type', 'name', 'flow']) if (k in vp) out[k] = vp[k];
	return Object.assign(out, vp);
}

// An event as {name, time, data}, or null when malformed.
function normalizeEvent(e, columns) {
	let name, time, data;
	if (columns) {
		if (!Array.isArray(e) || e.length !== columns.length) return null;
		const col = (...names) => { for (const n of names) if (columns.includes(n)) return e[columns.indexOf(n)]; };
		const category = col('category'), type = col('event', 'event_type', 'type');
		name = typeof category === 'string' && typeof type === 'string' ? category + ':' + type : type;
		time = col('relative_time', 'time');
		data = col('data');
	} else {
		if (!isObject(e)) return null;
		name = e.name ?? (typeof e.category === 'string' && typeof e.event === 'string' ? e.category + ':' + e.event : undefined);
		({ time, data } = e);
	}
	if (typeof name !== 'string' || !Number.isFinite(num(time))) return null;
	return { name, time: num(time), data: isObject(data) ? data : {} };
}

const kind = (name) => name.slice(name.lastIndexOf(':') + 1).toLowerCase();
const SENT = new Set(['packet_sent', 'packet_tx']);
const RECEIVED = new Set(['packet_received', 'packet_rx']);
const METRICS = new Set(['metrics_updated', 'metric_update', 'recovery_metrics_updated']);

function streamFrames(data) {
	const frames = Array.isArray(data.frames) ? data.frames : [];
	return frames.filter((f) => isObject(f) && typeof f.frame_type === 'string' && f.frame_type.toLowerCase() === 'stream');
}

function streamKey(frame) {
	const id = frame.stream_id ?? frame.id;
	if (id === undefined || id === null) return 'unknown';
	return typeof id === 'string' ? 's' + id : 'n' + num(id);
}

function frameLength(frame) {
	const n = num(frame.length ?? (isObject(frame.raw) ? frame.raw.payload_length : undefined));
	return Number.isFinite(n) ? n : 0;
}

// Walks the events once, accumulating every counter of the summary.
function tally(trace, events, time) {
	const rawColumns = trace.event_fields ?? trace.fields;
	const columns = Array.isArray(rawColumns) ? rawColumns.map((c) => String(c).toLowerCase()) : null;
	const s = {
		count: 0, malformed: 0, byName: new Map(), sent: 0, received: 0, lost: 0,
		idsSent: new Set(), idsReceived: new Set(), bytesSent: 0, bytesReceived: 0,
		cwndMax: null, cwndLast: null, rttMin: null, rttMax: null, first: null, last: null,
	};
	let clock = 0;
	for (const raw of events) {
		const e = normalizeEvent(raw, columns);
		if (!e) { s.malformed++; continue; }
		s.count++;
		s.byName.set(e.name, (s.byName.get(e.name) || 0) + 1);
		clock = time.basis === 'delta_cumsum' ? clock + e.time : e.time;
		const ms = toMs(clock, time.units);
		if (s.first === null) s.first = ms;
		s.last = ms;
		countEvent(s, kind(e.name), e.data, time.units);
	}
	return s;
}

function summarizeTrace(index, { trace, events }) {
	const time = traceTime(trace);
	const common = isObject(trace.common_fields) ? trace.common_fields : {};
	const s = tally(trace, events, time);
	const byName = {};
	for (const name of [...s.byName.keys()].sort(byCodePoint)) byName[name] = s.byName.get(name);
	return {
		trace_index: index,
		title: trace.title ?? null,
		vantage_point: vantagePoint(trace),
		group_id: common.group_id ?? trace.group_id ?? common.ODCID ?? common.odcid ?? trace.connectionid ?? null,
		odcid: common.ODCID ?? common.odcid ?? null,
		time,
		event_count: s.count,
		malformed_events: s.malformed,
		events_by_name: byName,
		packets_sent: s.sent,
		packets_received: s.received,
		packets_lost: s.lost,
		stream_ids_with_stream_frames: new Set([...s.idsSent, ...s.idsReceived]).size,
		stream_ids_sent: s.idsSent.size,
		stream_ids_received: s.idsReceived.size,
		stream_bytes_sent: s.bytesSent,
		stream_bytes_received: s.bytesReceived,
		cwnd_max: s.cwndMax,
		cwnd_last: s.cwndLast,
		smoothed_rtt_min_ms: s.rttMin === null ? null : round3(s.rttMin),
		smoothed_rtt_max_ms: s.rttMax === null ? null : round3(s.rttMax),
		first_time_ms: s.first === null ? null : round3(s.first),
		last_time_ms: s.last === null ? null : round3(s.last),
	};
}

function countEvent(s, k, data, units) {
	if (SENT.has(k) || RECEIVED.has(k)) {
		const sent = SENT.has(k);
		if (sent) s.sent++; else s.received++;
		for (const f of streamFrames(data)) {
			(sent ? s.idsSent : s.idsReceived).add(streamKey(f));
			if (sent) s.bytesSent += frameLength(f); else s.bytesReceived += frameLength(f);
		}
	} else if (k === 'packet_lost') {
		s.lost++;
	} else if (METRICS.has(k)) {
		const cwnd = data.congestion_window ?? data.cwnd;
		if (cwnd !== undefined && cwnd !== null && Number.isFinite(num(cwnd))) {
			if (s.cwndMax === null || num(cwnd) > num(s.cwndMax)) s.cwndMax = cwnd;
			s.cwndLast = cwnd;
		}
		const rtt = num(data.smoothed_rtt);
		if (Number.isFinite(rtt)) {
			const ms = toMs(rtt, units);
			if (s.rttMin === null || ms < s.rttMin) s.rttMin = ms;
			if (s.rttMax === null || ms > s.rttMax) s.rttMax = ms;
		}
	}
}

function byCodePoint(a, b) {
	const x = [...a].map((c) => c.codePointAt(0)), y = [...b].map((c) => c.codePointAt(0));
	for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
	return x.length - y.length;
}

// ------------------------------------------------------------- one file

function summarizeFile(base, rel) {
	const file = path.join(base, rel);
	const bytes = fs.readFileSync(file);
	const c = readContainer(bytes.toString('utf8'));
	const out = { file: rel, format: c.format, truncated: c.truncated, bad_records: c.bad_records };
	for (const k of ['qlog_version', 'qlog_format', 'file_schema', 'serialization_format', 'title'])
		if (k in c.header) out[k] = c.header[k];
	out.connections = c.traces.map((t, i) => summarizeTrace(i, t));
	out.file_bytes = bytes.length;
	return pyDump(out) + '\n';
}

// ------------------------------------------------------------- check

const oneLine = (v) => pyDump(v).replace(/\n\s*/g, ' ');
const isLeaf = (v) => !isObject(v) && !Array.isArray(v);

// One line per differing field: "connections[0].cwnd_max: expected 1, got 2".
function diffValues(expected, actual, where, lines) {
	if (isLeaf(expected) || isLeaf(actual) || Array.isArray(expected) !== Array.isArray(actual)) {
		const e = oneLine(expected), a = oneLine(actual);
		if (e !== a) lines.push(`${where}: expected ${e}, got ${a}`);
		return;
	}
	const keys = Array.isArray(expected)
		? [...Array(Math.max(expected.length, actual.length)).keys()]
		: [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
	for (const k of keys) {
		const at = Array.isArray(expected) ? `${where}[${k}]` : where ? `${where}.${k}` : k;
		if (!(k in actual)) lines.push(`${at}: expected ${oneLine(expected[k])}, missing`);
		else if (!(k in expected)) lines.push(`${at}: not expected, got ${oneLine(actual[k])}`);
		else diffValues(expected[k], actual[k], at, lines);
	}
}

function checkFile(base, rel) {
	const expectedPath = path.join(base, 'expected', rel + '.summary.json');
	if (!fs.existsSync(expectedPath)) return [`no summary at ${expectedPath}`];
	const expectedText = fs.readFileSync(expectedPath, 'utf8');
	const actualText = summarizeFile(base, rel);
	if (expectedText === actualText) return [];
	const lines = [];
	const expected = parseJson(expectedText);
	if (!expected.complete) return ['expected summary is not valid JSON'];
	diffValues(expected.value, parseJson(actualText).value, '', lines);
	if (!lines.length) {
		const e = expectedText.split('\n'), a = actualText.split('\n');
		const n = e.findIndex((line, i) => line !== a[i]);
		lines.push(`layout differs at line ${n + 1}: expected ${JSON.stringify(e[n])}, got ${JSON.stringify(a[n])}`);
	}
	return lines;
}

// Every file under base (outside expected/) that has an expected summary.
function filesWithSummaries(base) {
	const found = [];
	const walk = (dir) => {
		const entries = fs.readdirSync(path.join(base, dir), { withFileTypes: true });
		for (const entry of entries.sort((a, b) => byCodePoint(a.name, b.name))) {
			const rel = dir ? dir + '/' + entry.name : entry.name;
			if (entry.isDirectory()) { if (rel !== 'expected') walk(rel); }
			else if (fs.existsSync(path.join(base, 'expected', rel + '.summary.json'))) found.push(rel);
		}
	};
	walk('');
	return found;
}

// ------------------------------------------------------------- command line

function usage(message) {
	if (message) console.error(`qlog_ref: ${message}`);
	console.error('usage: qlog_ref.mjs --base DIR --out-dir OUT FILE...\n'
		+ '       qlog_ref.mjs --check --base DIR [FILE...]');
	process.exit(2);
}

function main(argv) {
	let base = '.', outDir = null, check = false;
	const files = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--check') check = true;
		else if (a === '--base' || a === '--out-dir') {
			if (i + 1 >= argv.length) usage(`${a} needs a value`);
			if (a === '--base') base = argv[++i]; else outDir = argv[++i];
		} else if (a === '-h' || a === '--help') usage();
		else if (a.startsWith('-')) usage(`unknown option ${a}`);
		else files.push(a);
	}
	const rels = files.map((f) => relativeTo(base, f));
	if (check) return runCheck(base, rels.length ? rels : filesWithSummaries(base));
	if (!outDir || !rels.length) usage('give --out-dir and at least one FILE (or --check)');
	for (const rel of rels) {
		const target = path.join(outDir, rel + '.summary.json');
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.writeFileSync(target, summarizeFile(base, rel));
		console.log(`wrote ${target}`);
	}
	return 0;
}

// FILE as given (from the current directory), else taken relative to --base.
function relativeTo(base, file) {
	const full = fs.existsSync(file) ? path.resolve(file) : path.resolve(base, file);
	const rel = path.relative(path.resolve(base), full);
	if (rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) usage(`${file} is not under --base ${base}`);
	return rel.split(path.sep).join('/');
}

function runCheck(base, rels) {
	let failed = 0;
	for (const rel of rels) {
		let lines;
		try { lines = checkFile(base, rel); } catch (err) { lines = [`cannot check: ${err.message}`]; }
		if (lines.length) failed++;
		for (const line of lines) console.log(`MISMATCH ${rel}: ${line}`);
	}
	console.log(`checked ${rels.length} file(s): ${rels.length - failed} match, ${failed} differ`);
	return failed || !rels.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
