"""Who may vouch for an image's .cwasm: our allowed_signers reading against `ssh-keygen -Y verify`.

Issue 24, item 1: signatures.trusted_keys() took the key after any options and never matched
the principal, so a key restricted to `namespaces="git"`, one expired with `valid-before`, or
a `cert-authority` line vouched for an image, whose .cwasm then ran as native code. Each case
below is one allowed_signers file; the real ssh-keygen (OpenSSH 9.2 here and in CI) and
signatures.signer() judge the same signature with it, at the same time, and must agree, and
the case states which verdict it expects, so a case that stops testing its option fails too.
"""

from __future__ import annotations

import base64
import calendar
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wasmimage.pipeline.signing import sign
from wasmimage.runtime import signatures

MESSAGE = b'{"name": "quickjs"}\n'
NOW = calendar.timegm((2025, 6, 15, 12, 0, 0))  # both judges are told this time
PRINCIPAL = "quickjs"  # an image's name: the principal its signature is checked for


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Public keys as allowed_signers writes them (`TYPE BASE64`), and the signature by `key`."""
    work = tmp_path_factory.mktemp("keys")
    made = {}
    for name, kind in (("key", "ed25519"), ("other", "ed25519"), ("rsa", "rsa"), ("ecdsa", "ecdsa")):
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", name, "-f", str(work / name)], check=True)
        made[name] = " ".join((work / f"{name}.pub").read_text().split()[:2])
    (work / "image.json.sig").write_text(sign(MESSAGE, work / "key"))
    made["sig"] = str(work / "image.json.sig")
    kind, blob = made["key"].split()
    raw = bytearray(base64.b64decode(blob))
    # The same key bytes, written with nonzero bits after the last byte: not base64 OpenSSH reads.
    sloppy = base64.b64encode(raw).decode()
    made["sloppy"] = f"{kind} {sloppy[:-2]}{chr(ord(sloppy[-2]) + 1)}="
    return made


def ssh_keygen_says(allowed: Path, signature: str, principal: str, now: int) -> bool:
    moment = time.strftime("%Y%m%d%H%M%SZ", time.gmtime(now))
    done = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", principal, "-n",
                           signatures.NAMESPACE, "-s", signature, f"-Overify-time={moment}"],
                          input=MESSAGE, capture_output=True, check=False)
    return done.returncode == 0


# (what it shows, the file's text with {key} {other} {rsa} {ecdsa} {sloppy}, expected verdict)
CASES = [
    ("a line for the image", "quickjs {key}\n", True),
    ("another image's line", "cpython {key}\n", False),
    ("another key", "quickjs {other}\n", False),
    ("a key comment after the key", "quickjs {key} builder@ci\n", True),
    ("a last line without its newline", "quickjs {key}", True),
    ("every image", "* {key}\n", True),
    ("a pattern", "quick* {key}\n", True),
    ("one character", "q?ickjs {key}\n", True),
    ("a list", "cpython,quickjs {key}\n", True),
    ("negation wins", "*,!quickjs {key}\n", False),
    ("negation of another", "*,!cpython {key}\n", True),
    ("a quoted principal", '"quickjs" {key}\n', True),
    ("namespace git only", 'quickjs namespaces="git" {key}\n', False),
    ("our namespace", 'quickjs namespaces="git,wasmimage-image" {key}\n', True),
    ("a namespace pattern", 'quickjs namespaces="wasmimage-*" {key}\n', True),
    ("a namespace negated", 'quickjs namespaces="*,!wasmimage-image" {key}\n', False),
    ("option names in any case", 'quickjs NameSpaces="wasmimage-image" {key}\n', True),
    ("a space inside quotes", 'quickjs namespaces="a b,wasmimage-image" {key}\n', True),
    ("an unquoted value is an error", "quickjs namespaces=wasmimage-image {key}\n", False),
    ("expired", 'quickjs valid-before="20200101" {key}\n', False),
    ("not yet valid", 'quickjs valid-after="20990101" {key}\n', False),
    ("inside the window", 'quickjs valid-after="20200101Z",valid-before="20991231Z" {key}\n', True),
    ("valid-before is inclusive", 'quickjs valid-before="202506151200Z" {key}\n', True),
    ("one second past valid-before", 'quickjs valid-before="20250615115959Z" {key}\n', False),
    ("valid-after is inclusive", 'quickjs valid-after="20250615120000UTC" {key}\n', True),
    ("one second before valid-after", 'quickjs valid-after="20250615120001z" {key}\n', False),
    ("a 30th of February runs on into March", 'quickjs valid-after="20250230Z" {key}\n', True),
    ("a space where strptime skips it", 'quickjs valid-after="202506 1Z" {key}\n', True),
    ("month 13", 'quickjs valid-after="20251301Z" {key}\n', False),
    ("seven digits", 'quickjs valid-after="2025061Z" {key}\n', False),
    ("the window backwards", 'quickjs valid-after="20990101Z",valid-before="20200101Z" {key}\n', False),
    ("twice", 'quickjs valid-before="20990101Z",valid-before="20990102Z" {key}\n', False),
    ("cert-authority", "quickjs cert-authority {key}\n", False),
    ("cert-authority then the plain key", "quickjs cert-authority {key}\nquickjs {key}\n", True),
    ("an unknown option", "quickjs no-touch-required {key}\n", False),
    ("comments, blanks, indentation, CRLF", "# images\n\n   \t\n  quickjs {key}\r\n", True),
    ("an RSA and an ECDSA line first", "quickjs {rsa}\nquickjs {ecdsa}\nquickjs {key}\n", True),
    ("a broken line for this image is skipped", "quickjs nonsense\nquickjs {key}\n", True),
    ("a broken line for another image is skipped", "cpython nonsense\nquickjs {key}\n", True),
    ("a broken line after the match is never read", "quickjs {key}\nquickjs nonsense\n", True),
    ("a lone word", "cpython\nquickjs {key}\n", True),
    ("a lone word without a newline", "quickjs {key}\ncpython", True),
    ("an unmatched quote", '"quickjs {key}\n', False),
    ("non-canonical base64 is an invalid key", "quickjs {sloppy}\n", False),
    ("a NUL ends the line", "quickjs\0 {key}\n", False),
]


@pytest.mark.parametrize("text, expected", [(text, expected) for _, text, expected in CASES],
                         ids=[what for what, _, _ in CASES])
def test_allowed_signers_verdict_is_ssh_keygen_s(tmp_path: Path, keys: dict[str, str], text: str,
                                                 expected: bool) -> None:
    """Fails if our reading of one line format, option or pattern drifts from OpenSSH's, either way."""
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(text.format(**keys))
    theirs = ssh_keygen_says(allowed, keys["sig"], PRINCIPAL, NOW)
    ours = signatures.signer(MESSAGE, Path(keys["sig"]), allowed, PRINCIPAL, now=NOW) is not None
    assert (ours, theirs) == (expected, expected)


def test_random_allowed_signers_files_get_ssh_keygen_s_verdict(tmp_path: Path, keys: dict[str, str],
                                                               utc: None) -> None:
    """Lines put together from principals, options, keys and separators, then mangled a character at a
    time (seeded, and in UTC, so a failure repeats): fails on any file where the two judges disagree."""
    rng = random.Random(24)
    principals = ["quickjs", "*", "q*", "!quickjs", "*,!quickjs", "cpython", '"quickjs"', '"quick js"', "QUICKJS", ""]
    options = ["", "cert-authority", 'namespaces="git"', 'namespaces="wasm*"', 'namespaces=""',
               'valid-after="20250615"',
               'valid-after="20250615120001Z"', 'valid-before="2025061512"', 'valid-after="202506 1Z"',
               'valid-before="99991231Z"', 'VALID-BEFORE="20990101UTC"', 'namespaces="a\\"b,wasmimage-image"',
               'valid-after="20250230Z"', 'valid-after="20250615236061Z"', 'valid-after="00000101Z"', "foo",
               ",cert-authority", 'namespaces="git",namespaces="x"']
    lines = [keys["key"], keys["other"], keys["rsa"], keys["key"] + "=", keys["key"][:-1], "ssh-ed25519"]

    def line() -> str:
        option = rng.choice(options[:1] * 4 + options)
        text = (rng.choice(["", "  ", "#"]) + rng.choice(principals[:1] * 4 + principals)
                + rng.choice([" ", "\t", " \t"])
                + (option + " " if option else "") + rng.choice(lines[:1] * 5 + lines)
                + rng.choice(["\n", "\r\n", "", " comment\n"]))
        for _ in range(rng.choice([0, 0, 1, 2])):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(' \t"\\,=*!#zZ0') + text[at + 1 if rng.random() < 0.5 else at:]
        return text

    allowed, disagreements, good = tmp_path / "allowed_signers", [], 0
    for _ in range(150):
        allowed.write_text("".join(line() for _ in range(rng.randint(1, 3))))
        theirs = ssh_keygen_says(allowed, keys["sig"], PRINCIPAL, NOW)
        ours = signatures.signer(MESSAGE, Path(keys["sig"]), allowed, PRINCIPAL, now=NOW) is not None
        good += theirs
        if ours != theirs:
            disagreements.append((allowed.read_text(), ours, theirs))
    assert disagreements == [] and good >= 10  # some files must vouch, or this compares only refusals


def _local_time(zone: str, monkeypatch: pytest.MonkeyPatch):
    """The local time zone of this process and of ssh-keygen, for one test."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch):
    """Local time with daylight saving time."""
    yield from _local_time("America/New_York", monkeypatch)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    yield from _local_time("UTC", monkeypatch)


@pytest.mark.parametrize("stamp", ["202506150659", "202506150700", "20250615070001", "202506150701"])
def test_a_time_without_z_is_local_time_as_ssh_keygen_reads_it(tmp_path: Path, keys: dict[str, str],
                                                              new_york: None, stamp: str) -> None:
    """ssh-keygen reads a time without Z in the local zone with daylight saving time off (strptime leaves
    tm_isdst 0): 07:00 in New York in June is then 12:00Z. Fails if local times or DST are read otherwise."""
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'quickjs valid-after="{stamp}" {keys["key"]}\n')
    ours = signatures.signer(MESSAGE, Path(keys["sig"]), allowed, PRINCIPAL, now=NOW) is not None
    assert ours == ssh_keygen_says(allowed, keys["sig"], PRINCIPAL, NOW) == (stamp <= "202506150700")


def test_the_reason_a_listed_key_does_not_vouch_names_the_line(tmp_path: Path, keys: dict[str, str],
                                                               capfd: pytest.CaptureFixture) -> None:
    """An operator whose key stopped counting learns which line and why (fails if the refusal is silent)."""
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'quickjs namespaces="git" {keys["key"]}\nquickjs valid-before="20200101Z" {keys["key"]}\n'
                       f'quickjs cert-authority {keys["key"]}\nquickjs namespaces=bad {keys["key"]}\n')
    assert signatures.signer(MESSAGE, Path(keys["sig"]), allowed, PRINCIPAL, now=NOW) is None
    err = capfd.readouterr().err
    assert f'{allowed}:1: the key is not permitted for signature namespace "wasmimage-image"' in err
    assert f"{allowed}:2: the key has expired (valid-before 2020-01-01T00:00:00Z)" in err
    assert f"{allowed}:3: cert-authority: the key is trusted only to certify other keys, " \
           "and certificates are not supported" in err
    assert f"{allowed}:4: bad options: missing start quote; line skipped" in err


def test_a_signature_made_with_a_certificate_counts_for_nothing(tmp_path: Path, keys: dict[str, str],
                                                                capfd: pytest.CaptureFixture) -> None:
    """ssh-keygen accepts a certificate signed by a cert-authority line; we support no certificates and say so
    (fails if a certificate's signature is checked, or refused without a word)."""
    for name in ("ca", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / name)], check=True)
    subprocess.run(["ssh-keygen", "-q", "-s", str(tmp_path / "ca"), "-I", "builder", "-n", PRINCIPAL,
                    str(tmp_path / "user.pub")], check=True)
    message = tmp_path / "image.json"
    message.write_bytes(MESSAGE)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(tmp_path / "user-cert.pub"), "-n",
                    signatures.NAMESPACE, str(message)], check=True)  # the signature carries the certificate
    ca = " ".join((tmp_path / "ca.pub").read_text().split()[:2])
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"quickjs cert-authority {ca}\n")
    sig = tmp_path / "image.json.sig"
    assert ssh_keygen_says(allowed, str(sig), PRINCIPAL, int(time.time()))  # OpenSSH: good
    assert signatures.signer(MESSAGE, sig, allowed, PRINCIPAL) is None
    assert "made with a ssh-ed25519-cert-v01@openssh.com key; only plain Ed25519 keys sign images " \
           "(OpenSSH certificates are not supported)" in capfd.readouterr().err


def test_an_oversized_signature_file_is_not_read_whole(tmp_path: Path, keys: dict[str, str]) -> None:
    """A .sig is a few hundred bytes: a 3 GiB (sparse) one, checked in a process allowed 1 GiB of memory,
    is refused after MAX_SIGNATURE bytes. Fails (MemoryError) if the file is read whole."""
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"quickjs {keys['key']}\n")
    big = tmp_path / "image.json.sig"
    big.write_bytes(Path(keys["sig"]).read_bytes())
    with big.open("r+b") as f:
        f.truncate(3 << 30)
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
            "from pathlib import Path; from wasmimage.runtime import signatures; "
            f"print(signatures.signer({MESSAGE!r}, Path({str(big)!r}), Path({str(allowed)!r}), 'quickjs'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "None\n"), done.stderr
