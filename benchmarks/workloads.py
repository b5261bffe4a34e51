"""The steady-state workloads: one JavaScript program each, timed inside the script.

Every program is the harness below plus a `setup` (untimed: builds the input) and a
`work` function (timed). The harness runs `work` once as a warm-up, then `reps` more
times, each timed with `performance.now()` (quickjs-ng's monotonic clock: WASI
`clock_time_get(MONOTONIC)` in the image, `clock_gettime(CLOCK_MONOTONIC)` natively),
and prints one JSON line: {"times_ms": [...], "check": "..."}. `check` is a digest of
the result that must be the same in the image and the native build, so both sides
provably did the same work.
"""

from __future__ import annotations

from dataclasses import dataclass

HARNESS = """\
function __bench(reps, setup, work) {
  const input = setup();
  let check = work(input);
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    check = work(input);
    times.push(performance.now() - t0);
  }
  print(JSON.stringify({times_ms: times, check: String(check)}));
}
// A deterministic generator (LCG), so every run sees the same input.
function __lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}
"""


@dataclass(frozen=True)
class Workload:
    name: str
    description: str  # with {n}
    body: str  # defines setup(n) and work(input)
    full: int  # size parameter for a full run
    quick: int  # size parameter for --quick

    def label(self, quick: bool) -> str:
        return self.description.format(n=f"{self.size(quick):,}")

    def size(self, quick: bool) -> int:
        return self.quick if quick else self.full

    def script(self, quick: bool, reps: int) -> str:
        n = self.size(quick)
        return f"{HARNESS}\n{self.body}\n__bench({reps}, () => setup({n}), work);\n"


FIB = Workload("fib", "fib({n}), recursive", """\
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function setup(n) { return n; }
function work(n) { return fib(n); }
""", full=30, quick=20)

JSON_ROUNDTRIP = Workload("json", "JSON parse + stringify, {n}-byte document", """\
function setup(bytes) {
  const rnd = __lcg(42);
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
  const items = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const item = {id: i, name: words[i % 8] + "-" + i, score: Math.floor(rnd() * 1e6) / 100,
                  active: rnd() < 0.5, tags: [words[(i * 3) % 8], words[(i * 5) % 8]],
                  nested: {x: Math.floor(rnd() * 1000), y: null, note: "line\\n\\"quoted\\" \\u00e9"}};
    items.push(item);
    size += JSON.stringify(item).length + 1;
  }
  return JSON.stringify({version: 1, items: items});
}
function work(text) {
  const out = JSON.stringify(JSON.parse(text));
  return out.length + ":" + (out === text);
}
""", full=1_000_000, quick=20_000)

REGEX = Workload("regex", "regex scan + replace over {n} bytes of log text", """\
function setup(bytes) {
  const rnd = __lcg(7);
  const users = ["ann", "bob", "cy", "dee", "eve"];
  const lines = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `2024-0${1 + (i % 9)}-${10 + (i % 18)}T12:${10 + (i % 50)}:00Z ` +
      `${users[i % 5]}${i}@example.org GET /api/v${i % 3}/items/${Math.floor(rnd() * 1e5)} ` +
      `status=${rnd() < 0.9 ? 200 : 500} took=${Math.floor(rnd() * 900)}ms`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\\n");
}
function work(text) {
  const emails = text.match(/[a-z]+\\d+@[a-z]+\\.[a-z]{2,}/g).length;
  let errors = 0;
  for (const m of text.matchAll(/^(\\d{4})-(\\d{2})-(\\d{2})T.*status=(5\\d\\d)/gm)) errors++;
  const redacted = text.replace(/(\\w+)@(example)\\.org/g, "$2:$1");
  return emails + ":" + errors + ":" + redacted.length;
}
""", full=1_000_000, quick=20_000)

STRINGS = Workload("strings", "string building, {n} appends + join", """\
function setup(n) { return n; }
function work(n) {
  let s = "";
  for (let i = 0; i < n; i++) s += "item" + i + ",";
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(String.fromCharCode(97 + (i % 26)).repeat(1 + (i % 7)));
  const joined = parts.join("-");
  return s.length + ":" + joined.length + ":" + s.slice(-12);
}
""", full=500_000, quick=10_000)

SORT = Workload("sort", "sort {n} numbers (comparator)", """\
function setup(n) {
  const rnd = __lcg(3);
  const a = new Array(n);
  for (let i = 0; i < n; i++) a[i] = rnd() * 1e9;
  return a;
}
function work(a) {
  const b = a.slice().sort((x, y) => x - y);
  return b.length + ":" + b[0] + ":" + b[b.length >> 1] + ":" + b[b.length - 1];
}
""", full=1_000_000, quick=10_000)

WORKLOADS = (FIB, JSON_ROUNDTRIP, REGEX, STRINGS, SORT)
