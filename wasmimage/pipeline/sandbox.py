"""Build commands in a bubblewrap sandbox: third-party build code never sees this user's secrets.

The build stage runs code from every source it builds (an upstream `configure`, a Makefile, a
crate's `build.rs`) as the building user, who holds the artifact cache key (cache.py: an entry
sealed with it is restored, verified and published as ours), the native store (runtime/native.py:
a .cwasm recorded there loads as native code), a signing key and registry credentials. So each
build command runs under bwrap (Debian's `bubblewrap`) and sees of the machine only:

  - /usr, and the /bin, /lib, ... links into it, read-only; from /etc only what programs need to
    start and to name users (ETC: the dynamic linker's cache, the alternatives links, passwd);
  - the build directory, read-write, at its own path (it is also HOME), and the toolchain's own
    directory read-only when it is not under /usr (an archive release, a rustup sysroot);
  - a private /tmp, a /proc of its own processes, a minimal /dev;

with no network, no view of other processes (so no /proc/PID/environ of the parent), no
capabilities even as root, a new session (no terminal to type into), and exactly the environment
build.command_env() gives. Sealing the outputs, recording trust and pushing happen afterwards,
in the parent. Paths and environment are the same as outside, so the bytes are too.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from wasmimage.errors import Unavailable

BWRAP = "bwrap"
UNSANDBOXED_ENV = "WASMIMAGE_UNSANDBOXED_BUILDS"  # named in messages; wasmimage/settings.py reads it
# From /etc, what a compiler, a shell or a configure script needs, and nothing secret.
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "passwd", "group", "nsswitch.conf")
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")  # links into /usr on merged-/usr systems


def wrap(argv: list[str], work_dir: Path, readable: tuple[Path, ...] = ()) -> list[str]:
    """argv run by bwrap with nothing but the build directory (read-write) and `readable` (read-only)."""
    args = [BWRAP, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/usr", "/usr"]
    for name in TOP_LEVEL:
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for directory in sorted({str(Path(p).resolve()) for p in readable}):
        if not (directory == "/usr" or directory.startswith("/usr/")):
            args += ["--ro-bind", directory, directory]
    return [*args, "--bind", str(work_dir), str(work_dir), "--chdir", str(work_dir), "--", *argv]


def check_available(work_dir: Path) -> None:
    """Run `true` in the sandbox once, so that a machine without it fails before the build, saying why."""
    try:
        result = subprocess.run(wrap(["true"], work_dir), env={"PATH": "/usr/bin:/bin"}, capture_output=True,
                                text=True, stdin=subprocess.DEVNULL, check=False)
        problem = (result.stderr.strip() or f"exit code {result.returncode}") if result.returncode else ""
    except FileNotFoundError:
        problem = f"{BWRAP} is not installed"
    if problem:
        raise Unavailable(f"build commands run in a bubblewrap sandbox (docs/security.md), which cannot start "
                          f"here: {problem}\n  install the Debian package bubblewrap (scripts/setup does), "
                          f"and allow user namespaces if not root; or set {UNSANDBOXED_ENV}=1 to build without it, "
                          f"letting third-party build code read what you can (your cache key included)")
