"""Per-call latency and throughput of the runner (run by hand, beside `python -m benchmarks`):

    python -m benchmarks.perf_calls [IMAGE_DIR]

cold: a fresh Python process (imports done, not timed) times open_image (reads the
manifest and checks every file's sha256) + load_program (deserializes the .cwasm) + the
first run of print("hi"); median of 5 processes. warm: the same run with the module
cached, median of 200 calls after 20 warm-up calls; cpu: process CPU per call (all threads).
"script" runs through the image's snapshot when it has one, "script, command" through its
`_start` command. Throughput: a fixed number of calls
split over 1 or 2 threads, calls / wall second. "call" is protocol.call() of a trivial
function through the executor (JSON request on stdin, JSON response parsed).
"""

import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from wasmimage.pipeline.project import Project
from wasmimage.runtime.image import open_image
from wasmimage.runtime.protocol import call
from wasmimage.runtime.runner import load_program, run_program

ROOT = Path(__file__).resolve().parent.parent
IMAGE = (Path(sys.argv[1]) if len(sys.argv) > 1
         else ROOT / "artifacts/images/quickjs" / Project(ROOT).recipe("quickjs").tag)
SCRIPT = b'print("hi")'
REQUEST = {"function": "function f(x) { return x + 1; }", "name": "f", "args": [1]}

COLD = f"""
import json, time
from pathlib import Path
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import load_program, run_program
t0 = time.perf_counter(); image = open_image(Path({str(IMAGE)!r}))
t1 = time.perf_counter(); program = load_program(image)
t2 = time.perf_counter(); result = run_program(program, b'print("hi")')
t3 = time.perf_counter(); assert result.stdout == b"hi\\n"
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t3 - t0]))
"""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def cold() -> None:
    runs = [json.loads(subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(5)]
    open_, load, first, total = (statistics.median(column) for column in zip(*runs, strict=True))
    print(f"cold: {ms(total)} = open_image {ms(open_)} + deserialize {ms(load)} + first run {ms(first)}")


def warm(label: str, one_call) -> None:
    for _ in range(20):
        one_call()
    times = []
    for _ in range(200):
        started = time.perf_counter()
        one_call()
        times.append(time.perf_counter() - started)
    print(f"warm {label}: median {ms(statistics.median(times))}, p90 {ms(statistics.quantiles(times, n=10)[-1])}")


def cpu(label: str, one_call, calls: int = 500) -> None:
    started = time.process_time()
    for _ in range(calls):
        one_call()
    print(f"cpu {label}: {(time.process_time() - started) / calls * 1e6:.0f} us of process CPU per call")


def throughput(label: str, one_call, threads: int, calls: int = 400) -> None:
    def worker() -> None:
        for _ in range(calls // threads):
            one_call()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    print(f"throughput {label}, {threads} thread(s): {calls / (time.perf_counter() - started):.0f} calls/s")


def main() -> None:
    cold()
    image = open_image(IMAGE)
    program, command = load_program(image), load_program(image, snapshot=False)

    def script() -> None:
        assert run_program(program, SCRIPT).stdout == b"hi\n"

    def script_command() -> None:
        assert run_program(command, SCRIPT).stdout == b"hi\n"

    def function_call() -> None:
        assert call(image, REQUEST) == {"result": 2}

    calls = [("script", script), ("call", function_call)]
    if program.snapshot:  # the default path is the snapshot: show the command beside it
        calls.insert(1, ("script, command (no snapshot)", script_command))
    for label, one_call in calls:
        warm(label, one_call)
        cpu(label, one_call)
        for threads in (1, 2):
            throughput(label, one_call, threads)


if __name__ == "__main__":
    main()
