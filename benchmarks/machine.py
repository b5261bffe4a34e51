"""What the numbers were measured on: CPU, cores, memory, OS, Python, wasmtime, the commit."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks.native import compiler_version
from wasmimage.runtime.engine import wasmtime_version


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: str
    memory: str
    os: str
    python: str
    wasmtime: str
    native_cc: str
    commit: str
    load: str = ""  # load averages during the run: other work on the machine skews the numbers

    def items(self) -> list[tuple[str, str]]:
        return [("CPU", self.cpu), ("cores", self.cores), ("memory", self.memory), ("OS", self.os),
                ("Python", self.python), ("wasmtime (Python package)", self.wasmtime),
                ("native compiler", self.native_cc), ("commit", self.commit),
                ("load average (1 min) at start / end", self.load)]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / (1 << 20):.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _os() -> str:
    pretty = ""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{pretty} (kernel {platform.release()}, {platform.machine()})" if pretty else platform.platform()


def _git(root: Path, *args: str) -> str | None:
    result = subprocess.run(["git", "--no-optional-locks", *args], cwd=root, capture_output=True, text=True,
                            check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def git_commit(root: Path) -> str:
    """HEAD, marked when tracked files differ from it (read-only git calls only)."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return "unknown (not a git checkout)"
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    return f"{commit} (with uncommitted changes)" if dirty else commit


def load_average() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def machine(root: Path, load_at_start: float | None = None) -> Machine:
    end = load_average()
    load = "unknown" if end is None or load_at_start is None else f"{load_at_start:.2f} / {end:.2f}"
    return Machine(
        cpu=_cpu_model(),
        cores=f"{os.cpu_count()} logical" + (f", {len(os.sched_getaffinity(0))} usable"
                                             if hasattr(os, "sched_getaffinity") else ""),
        memory=_memory(),
        os=_os(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        wasmtime=wasmtime_version(),
        native_cc=compiler_version(),
        commit=git_commit(root),
        load=load,
    )
