"""The steady-state workloads for the Python images: the JavaScript ones, in Python, and print.

Same shape as workloads.py: a harness, then `setup(n)` (untimed) and `work(input)` (timed
with time.perf_counter, a monotonic clock in WASI and natively). One JSON line comes out:
{"times_ms": [...], "check": "..."}; `check` must agree between the image and the native
interpreter, so both provably did the same work.
"""

from __future__ import annotations

from dataclasses import dataclass

HARNESS = """\
import json as __json, time as __time
def __bench(reps, setup, work):
    data = setup()
    check = work(data)
    times = []
    for _ in range(reps):
        t0 = __time.perf_counter()
        check = work(data)
        times.append((__time.perf_counter() - t0) * 1000)
    print(__json.dumps({"times_ms": times, "check": str(check)}))
def __lcg(seed):
    state = [seed & 0xFFFFFFFF]
    def next_value():
        state[0] = (state[0] * 1664525 + 1013904223) & 0xFFFFFFFF
        return state[0] / 4294967296
    return next_value
"""


@dataclass(frozen=True)
class PyWorkload:
    name: str
    description: str  # with {n}
    body: str  # defines setup(n) and work(data)
    full: int
    quick: int

    def label(self, quick: bool) -> str:
        return self.description.format(n=f"{self.size(quick):,}")

    def size(self, quick: bool) -> int:
        return self.quick if quick else self.full

    def script(self, quick: bool, reps: int) -> str:
        return f"{HARNESS}\n{self.body}\n__bench({reps}, lambda: setup({self.size(quick)}), work)\n"


FIB = PyWorkload("fib", "fib({n}), recursive", """\
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
def setup(n):
    return n
def work(n):
    return fib(n)
""", full=25, quick=15)

JSON_ROUNDTRIP = PyWorkload("json", "json loads + dumps, {n}-byte document", """\
import json
def setup(size_wanted):
    rnd = __lcg(42)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    items, size, i = [], 0, 0
    while size < size_wanted:
        item = {"id": i, "name": f"{words[i % 8]}-{i}", "score": int(rnd() * 1e6) / 100,
                "active": rnd() < 0.5, "tags": [words[(i * 3) % 8], words[(i * 5) % 8]],
                "nested": {"x": int(rnd() * 1000), "y": None, "note": "line\\n\\"quoted\\" \\u00e9"}}
        items.append(item)
        size += len(json.dumps(item)) + 1
        i += 1
    return json.dumps({"version": 1, "items": items})
def work(text):
    out = json.dumps(json.loads(text))
    return f"{len(out)}:{out == text}"
""", full=300_000, quick=10_000)

REGEX = PyWorkload("regex", "regex scan + replace over {n} bytes of log text", """\
import re
def setup(size_wanted):
    rnd = __lcg(7)
    users = ["ann", "bob", "cy", "dee", "eve"]
    lines, size, i = [], 0, 0
    while size < size_wanted:
        line = (f"2024-0{1 + i % 9}-{10 + i % 18}T12:{10 + i % 50}:00Z {users[i % 5]}{i}@example.org "
                f"GET /api/v{i % 3}/items/{int(rnd() * 1e5)} status={200 if rnd() < 0.9 else 500} "
                f"took={int(rnd() * 900)}ms")
        lines.append(line)
        size += len(line) + 1
        i += 1
    return "\\n".join(lines)
def work(text):
    emails = len(re.findall(r"[a-z]+\\d+@[a-z]+\\.[a-z]{2,}", text))
    errors = sum(1 for _ in re.finditer(r"^(\\d{4})-(\\d{2})-(\\d{2})T.*status=(5\\d\\d)", text, re.M))
    redacted = re.sub(r"(\\w+)@(example)\\.org", r"\\2:\\1", text)
    return f"{emails}:{errors}:{len(redacted)}"
""", full=300_000, quick=10_000)

STRINGS = PyWorkload("strings", "string building, {n} appends + join", """\
def setup(n):
    return n
def work(n):
    s = ""
    for i in range(n):
        s += "item" + str(i) + ","
    parts = [chr(97 + i % 26) * (1 + i % 7) for i in range(n)]
    joined = "-".join(parts)
    return f"{len(s)}:{len(joined)}:{s[-12:]}"
""", full=200_000, quick=5_000)

SORT = PyWorkload("sort", "sort {n} floats (key function)", """\
def setup(n):
    rnd = __lcg(3)
    return [rnd() * 1e9 for _ in range(n)]
def work(a):
    b = sorted(a, key=lambda x: -x)
    return f"{len(b)}:{b[0]}:{b[len(b) >> 1]}:{b[-1]}"
""", full=300_000, quick=5_000)

# Output-heavy: each print() is a line the images write through at once (stdout line-buffered,
# so a timeout or trap cannot lose it: issue 27), where a native CPython writing to a pipe fills
# an 8 KiB buffer first. Sized to stay under WORKLOAD_LIMITS' 1 MiB of stdout over all iterations.
PRINT = PyWorkload("print", "print {n} short lines", """\
def setup(n):
    return n
def work(n):
    for i in range(n):
        print("line", i)
    return n
""", full=20_000, quick=1_000)

PY_WORKLOADS = (FIB, JSON_ROUNDTRIP, REGEX, STRINGS, SORT, PRINT)
