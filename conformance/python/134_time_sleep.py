# time.sleep really waits (at least as long as asked), and the clocks move forward.
import time

start_monotonic, start_perf, start_ns = time.monotonic(), time.perf_counter(), time.monotonic_ns()
time.sleep(0.05)
print("monotonic advanced at least 0.05 s:", time.monotonic() - start_monotonic >= 0.05)
print("perf_counter advanced at least 0.05 s:", time.perf_counter() - start_perf >= 0.05)
print("monotonic_ns advanced at least 50 ms:", time.monotonic_ns() - start_ns >= 50_000_000)
time.sleep(0)
try:
    time.sleep(-1)
except ValueError:
    print("ValueError for a negative sleep")
print(time.time() > 1_600_000_000, type(time.time_ns()).__name__)
