"""Versions as each channel orders them, and how far a pin is behind the newest.

Debian's versions follow dpkg's rules (epochs, `~` before everything, the revision after the
last `-`), crates follow semver, PyPI follows PEP 440 (the `packaging` library). Each parser
returns a Version whose `key` orders versions of that one channel and whose `release` is its
leading numbers (major, minor, patch, ...), which say at which level two versions differ.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion
from packaging.version import Version as Pep440

LEVELS = ("major", "minor")  # a difference in the release's first or second number; later ones are patch releases


@dataclass(frozen=True)
class Version:
    text: str  # as the channel writes it
    key: Any = field(compare=False, repr=False)  # orders the versions of one channel
    release: tuple[int, ...] = ()  # the leading numbers
    prerelease: bool = False
    where: str = ""  # where the channel has it (a Debian suite), for the table


def _leading_numbers(text: str) -> tuple[int, ...]:
    match = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(n) for n in match.group().split(".")) if match else ()


# --- Debian: dpkg's comparison (deb-version(7)) --------------------------------------------------

def _order(char: str) -> int:
    """dpkg's weight of one character of a non-digit run: `~` sorts before the end, letters before the rest."""
    if char == "~":
        return -1
    if not char or char.isdigit():
        return 0
    return ord(char) if char.isascii() and char.isalpha() else ord(char) + 256


def _compare_part(a: str, b: str) -> int:
    """dpkg's verrevcmp: alternate non-digit runs (by _order) and digit runs (by value)."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac, bc = _order(a[i] if i < len(a) else ""), _order(b[j] if j < len(b) else "")
            if ac != bc:
                return ac - bc
            i, j = i + 1, j + 1
        start_a, start_b = i, j
        while i < len(a) and a[i].isdigit():
            i += 1
        while j < len(b) and b[j].isdigit():
            j += 1
        number_a, number_b = int(a[start_a:i] or 0), int(b[start_b:j] or 0)
        if number_a != number_b:
            return -1 if number_a < number_b else 1
    return 0


def split_debian(text: str) -> tuple[int, str, str]:
    """A Debian version's epoch, upstream version and revision
    (`1:1.2.13.dfsg-1+deb12u1`: 1, 1.2.13.dfsg, 1+deb12u1)."""
    epoch, _, rest = text.partition(":") if ":" in text else ("0", "", text)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return int(epoch) if epoch.isdigit() else 0, upstream, revision


def compare_debian(a: str, b: str) -> int:
    """Negative, zero or positive as Debian version a sorts before, with or after b
    (what `dpkg --compare-versions` says)."""
    (epoch_a, upstream_a, revision_a), (epoch_b, upstream_b, revision_b) = split_debian(a), split_debian(b)
    if epoch_a != epoch_b:
        return epoch_a - epoch_b
    return _compare_part(upstream_a, upstream_b) or _compare_part(revision_a, revision_b)


_DEBIAN_KEY = functools.cmp_to_key(compare_debian)


def debian(text: str, where: str = "") -> Version:
    return Version(text, _DEBIAN_KEY(text), _leading_numbers(split_debian(text)[1]), where=where)


def debian_upstream(text: str, where: str = "", shown: str | None = None) -> Version:
    """A Debian version ordered by its upstream part alone (every revision of one upstream tarball is equal);
    shown as `shown` (the full version) in the table."""
    upstream = split_debian(text)[1]
    return Version(shown or text, _DEBIAN_KEY(upstream), _leading_numbers(upstream), where=where)


# --- crates: semver ------------------------------------------------------------------------------

_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")


def semver(text: str) -> Version | None:
    """A semver version (build metadata ignored, a pre-release before its release), or None if text is not one."""
    match = _SEMVER.fullmatch(text)
    if not match:
        return None
    release = tuple(int(n) for n in match.group(1, 2, 3))
    pre = match.group(4)
    # numeric identifiers sort numerically and before alphanumeric ones; no pre-release sorts last
    pre_key = (1,) if pre is None else (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return Version(text, (release, pre_key), release, prerelease=pre is not None)


# --- PyPI (and git tags): PEP 440 ------------------------------------------------------------------

def pep440(text: str, where: str = "") -> Version | None:
    try:
        parsed = Pep440(text)
    except InvalidVersion:
        return None
    return Version(text, parsed, parsed.release, prerelease=parsed.is_prerelease, where=where)


# --- how far behind ----------------------------------------------------------------------------------

def newest(versions: list[Version] | tuple[Version, ...]) -> Version | None:
    return max(versions, key=lambda v: v.key, default=None)


def behind(pinned: Version, versions: list[Version] | tuple[Version, ...], complete: bool = True) -> str:
    """`up to date`, or how far: `3 patch releases`, `1 minor release`, `2 revisions` (same release numbers).

    Counts the releases the channel lists at the level where the newest differs from the pin; a
    channel that names only its newest release (`complete` False) gets the level alone.
    """
    newer = [v for v in versions if v.key > pinned.key]
    top = newest(newer)
    if top is None:
        return "up to date"
    width = max(len(top.release), len(pinned.release))

    def pad(release: tuple[int, ...]) -> tuple[int, ...]:
        return release + (0,) * (width - len(release))

    level = next((i for i in range(width) if pad(top.release)[i] != pad(pinned.release)[i]), None)
    if level is None:
        what, count = "revision", len({v.text for v in newer if pad(v.release) == pad(pinned.release)})
    else:
        what = f"{LEVELS[level]} release" if level < len(LEVELS) else "patch release"
        count = len({pad(v.release)[:level + 1] for v in newer} - {pad(pinned.release)[:level + 1]})
    if not complete:
        return f"a newer {what}"
    return f"{count} {what}{'s' if count != 1 else ''}"
