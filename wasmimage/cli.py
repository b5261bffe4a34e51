"""Consumer CLI: `python -m wasmimage run IMAGE SCRIPT_FILE` runs a script in an image;
`python -m wasmimage call IMAGE [REQUEST.json] [--protocol wikifunctions]` calls a function through
the image's executor."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

from wasmimage import log
from wasmimage.errors import InvalidInput, NotFound, PipelineError
from wasmimage.runtime.native import NativeStore
from wasmimage.runtime.protocols import PROTOCOLS
from wasmimage.runtime.runner import MAX_TIMEOUT, Limits, run
from wasmimage.settings import Settings

DEFAULTS = Limits()
LIMIT_EXIT_CODE = 125  # a limit, a trap or a protocol error ended the call; a script never exits with it


def _ranged(parse, low: float, high: float, what: str):
    """An argparse type: `parse`d and within [low, high], or a usage error naming the option (exit 2)."""
    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            value = None
        if value is None or not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value
    return convert


_SECONDS = _ranged(float, math.ulp(0.0), MAX_TIMEOUT, f"a number of seconds > 0 and <= {MAX_TIMEOUT:g}")
_MEGABYTES = _ranged(int, 1, 4096, "a whole number of MiB from 1 to 4096 (wasm32 memory is at most 4 GiB)")
_BYTES = _ranged(int, 0, 2**63 - 1, "a whole number of bytes >= 0")
_FUEL = _ranged(int, 1, 2**63 - 1, "a whole number of wasm operators from 1 to 2**63-1")


def _limits(args: argparse.Namespace, base: Limits = DEFAULTS) -> Limits:
    """`base` with what the limit flags override (a flag left out keeps base's value)."""
    overrides: dict = {}
    if args.timeout is not None:
        overrides["timeout"] = args.timeout
    if args.memory_mb is not None:
        overrides["memory_bytes"] = args.memory_mb * 1024 * 1024
    if args.max_output_bytes is not None:
        overrides["max_stdout_bytes"] = overrides["max_stderr_bytes"] = args.max_output_bytes
    if args.fuel is not None:
        overrides["fuel"] = args.fuel
    return dataclasses.replace(base, **overrides)


def _say_fuel(limits: Limits, consumed: int | None) -> None:
    """With --fuel, what the call used, on stderr (the result on stdout stays the protocol's)."""
    if limits.fuel is not None and consumed is not None:
        print(f"wasmimage: fuel consumed: {consumed} of {limits.fuel}", file=sys.stderr)


def _image(args: argparse.Namespace, settings: Settings) -> Path:
    """The image directory IMAGE names. A local directory is used as it is without loading the
    registry client: a fresh `run` or `call` process starts faster. Which names are local is
    decided as pull and inspect decide it (reference.local_directory)."""
    from wasmimage.registry.reference import local_directory

    local = local_directory(args.image)
    if local is not None:
        return local
    from wasmimage.registry.pull import resolve_image_ref

    return resolve_image_ref(args.image, settings=settings, insecure=args.insecure)


def _run_command(args: argparse.Namespace, settings: Settings) -> int:
    stdin = Path(args.stdin).read_bytes() if args.stdin else (b"" if sys.stdin.isatty() else sys.stdin.buffer.read())
    limits = _limits(args)
    result = run(_image(args, settings), Path(args.script), NativeStore.from_settings(settings), stdin=stdin,
                 limits=limits)
    if args.json:
        print(json.dumps(result.to_json(), default=str))
    else:
        sys.stdout.buffer.write(result.stdout)
        sys.stdout.flush()
        sys.stderr.buffer.write(result.stderr)
        _say_fuel(limits, result.fuel_consumed)
    if result.outcome not in ("ok", "error") or result.exit_code is None:  # a limit or the host ended it
        print(f"wasmimage: {result.outcome}: {result.reason}", file=sys.stderr)
        return LIMIT_EXIT_CODE
    if result.exit_code == LIMIT_EXIT_CODE:
        print(f"wasmimage: the script exited with {LIMIT_EXIT_CODE}, the code that means a limit ended it; "
              f"exiting with 1 instead", file=sys.stderr)
        return 1
    if result.exit_code > 255:  # WASI's exit code is 32 bits, a process's 8: 256 would read as 0
        print(f"wasmimage: the script exited with {result.exit_code}, more than an exit status holds; "
              f"exiting with 1 instead", file=sys.stderr)
        return 1
    return result.exit_code


def _call_command(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 with a result, 1 with the function's error, 125 when the call did not complete
    (a limit, a trap or a protocol error: see wasmimage.runtime.protocol)."""
    from wasmimage.runtime.protocol import HOST_ERRORS, call

    if args.protocol == "wikifunctions":
        return _call_wikifunctions(args, settings)
    text = Path(args.request).read_text() if args.request else sys.stdin.read()
    try:
        request = json.loads(text)
    except (ValueError, RecursionError) as exc:
        print(f"wasmimage: error: the request is not JSON: {exc}", file=sys.stderr)
        return InvalidInput.exit_code
    response = call(_image(args, settings), request, _limits(args), NativeStore.from_settings(settings))
    _print_json(response)
    if "result" in response:
        return 0
    if response["error"]["type"] in HOST_ERRORS:
        print(f"wasmimage: {response['error']['type']}: {response['error']['message']}", file=sys.stderr)
        return LIMIT_EXIT_CODE
    return 1


def _print_json(value: object) -> None:
    """One line of JSON at any depth, UTF-8 where it can be, \\u escapes where it must (a lone surrogate)."""
    from wasmimage.runtime import deep_json

    text = deep_json.dumps(value, ensure_ascii=False)
    try:
        text.encode()
    except UnicodeEncodeError:
        text = deep_json.dumps(value)
    print(text)


def _call_wikifunctions(args: argparse.Namespace, settings: Settings) -> int:
    """The request goes to the image as it is (a malformed one gets its error Z22 from there);
    exactly one line, the Z22, comes out. Exit 0 with a result, 1 with the executor's error Z22,
    125 when the host made the error (a limit, a crash, an invalid response: Evaluation.host_error)."""
    from wasmimage.runtime import wikifunctions
    from wasmimage.runtime.zobjects import canonical, is_failure

    request = Path(args.request).read_bytes() if args.request else sys.stdin.buffer.read()
    limits = _limits(args, wikifunctions.LIMITS)
    evaluation = wikifunctions.evaluate(_image(args, settings), request, limits, NativeStore.from_settings(settings))
    response = evaluation.z22
    _print_json(canonical(response) if args.canonical else response)
    _say_fuel(limits, evaluation.run.fuel_consumed if evaluation.run is not None else None)
    if evaluation.host_error is not None:
        print(f"wasmimage: {evaluation.host_error}", file=sys.stderr)
        return LIMIT_EXIT_CODE
    return 1 if is_failure(response) else 0


def _publish_command(args: argparse.Namespace, settings: Settings) -> int:
    from wasmimage.pipeline.publish import publish
    from wasmimage.registry.client import Credentials
    from wasmimage.registry.target import Target

    target = Target.parse(args.registry) if args.registry else Target.from_settings(settings)
    result = publish(Path(args.image), target, Path(args.layout_dir), dry_run=args.dry_run, insecure=args.insecure,
                     out=sys.stdout if args.dry_run else sys.stderr,
                     sign_key=Path(args.sign_key) if args.sign_key else settings.signing_key,
                     credentials=Credentials.from_settings(settings),
                     source_date_epoch=int(settings.source_date_epoch))
    if not args.dry_run:
        print(f"{result.reference}@{result.digest}")
    return 0


def _pull_command(args: argparse.Namespace, settings: Settings) -> int:
    from wasmimage.registry.pull import resolve_image_ref

    print(resolve_image_ref(args.ref, settings=settings, cache=Path(args.cache) if args.cache else None,
                            insecure=args.insecure))
    return 0


def _inspect_command(args: argparse.Namespace, settings: Settings) -> int:
    from wasmimage.pipeline.inspect import describe

    print(describe(args.image, settings=settings, insecure=args.insecure))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m wasmimage", description=__doc__)
    loudness = top.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_const", const=1, dest="verbosity", default=0,
                          help="also print debug detail on stderr")
    loudness.add_argument("-q", "--quiet", action="store_const", const=-1, dest="verbosity",
                          help="print only warnings and errors on stderr")
    commands = top.add_subparsers(dest="command", required=True)
    _add_run_and_call(commands)
    _add_registry_commands(commands)
    _add_project_commands(commands)
    return top


def _limit_flags() -> argparse.ArgumentParser:
    """The limits run and call share (a parent parser)."""
    limit_flags = argparse.ArgumentParser(add_help=False)
    limit_flags.add_argument("--timeout", type=_SECONDS, metavar="S",
                             help=f"wall-clock deadline in seconds (default {DEFAULTS.timeout}; "
                                  f"9 for call --protocol wikifunctions)")
    limit_flags.add_argument("--memory-mb", type=_MEGABYTES, metavar="N",
                             help=f"linear memory cap (default {DEFAULTS.memory_bytes // 2**20}; "
                                  f"625 for call --protocol wikifunctions)")
    limit_flags.add_argument("--max-output-bytes", type=_BYTES, metavar="N",
                             help=f"cap for stdout and for stderr (default {DEFAULTS.max_stdout_bytes})")
    limit_flags.add_argument("--fuel", type=_FUEL, metavar="N",
                             help="meter fuel (wasm operators executed, the evaluator's budget unit) and end the "
                                  "call after N; what it used is printed on stderr (with run --json, in the JSON). "
                                  "The image's .wasm is compiled for a fuel-metering engine once per machine")
    return limit_flags


def _add_run_and_call(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    limit_flags = _limit_flags()
    run_p = commands.add_parser("run", parents=[limit_flags],
                                help="run a script in an image, stdin passed through, exit code mirrored")
    run_p.add_argument("image", help="image directory (artifacts/images/NAME/TAG) or image reference "
                                     "(REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., oci-layout:PATH:TAG)")
    run_p.add_argument("script", help="script file to run")
    run_p.add_argument("--stdin", metavar="FILE", help="read the script's stdin from FILE (default: our stdin)")
    run_p.add_argument("--json", action="store_true", help="print the whole result as one JSON object")
    run_p.add_argument("--insecure", action="store_true", help="allow plain http to a non-loopback registry")
    run_p.set_defaults(handler=_run_command)

    call_p = commands.add_parser("call", parents=[limit_flags],
                                 help="call a function through the image's executor; prints the response")
    call_p.add_argument("image", help="image directory or image reference, as for run")
    call_p.add_argument("request", nargs="?", help='request file {"function": SOURCE, "name": NAME, "args": [...]} '
                                                   "or, with --protocol wikifunctions, "
                                                   '{"codeString": ..., "functionName": ..., '
                                                   '"functionArguments": {...}} '
                                                   "(default: read it from stdin)")
    call_p.add_argument("--protocol", choices=tuple(PROTOCOLS), default="call",
                        help="call: this project's protocol (default); wikifunctions: the Wikifunctions "
                             "evaluator's executor contract, answered with one Z22 line, under the "
                             "wikifunctions limits profile (9 s, 625 MiB) unless --timeout/--memory-mb say otherwise")
    call_p.add_argument("--canonical", action="store_true",
                        help="with --protocol wikifunctions: print the Z22 in canonical form (shorter, for people)")
    call_p.add_argument("--insecure", action="store_true", help="allow plain http to a non-loopback registry")
    call_p.set_defaults(handler=_call_command)


def _add_registry_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """publish, pull and inspect: images to and from registries and OCI layouts."""
    pub_p = commands.add_parser("publish", help="push an image directory as an OCI image (tag <version>-r<revision>)")
    pub_p.add_argument("image", help="image directory (artifacts/images/NAME/TAG)")
    pub_p.add_argument("--registry", metavar="HOST[:PORT][/NAMESPACE]", help="default: $WASMIMAGE_REGISTRY")
    pub_p.add_argument("--layout-dir", default="artifacts/oci", metavar="DIR",
                       help="where the OCI image layout is written, as DIR/NAME/TAG (default artifacts/oci)")
    pub_p.add_argument("--dry-run", action="store_true", help="print the blobs and tag that would be pushed")
    pub_p.add_argument("--insecure", action="store_true", help="allow plain http to a non-loopback registry")
    pub_p.add_argument("--sign-key", metavar="FILE", help="OpenSSH Ed25519 private key to sign image.json with "
                                                          "(default: $WASMIMAGE_SIGNING_KEY; docs/security.md)")
    pub_p.set_defaults(handler=_publish_command)

    pull_p = commands.add_parser("pull", help="pull an image reference into the cache; prints its image directory")
    pull_p.add_argument("ref", help="REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:... or oci-layout:PATH:TAG")
    pull_p.add_argument("--cache", metavar="DIR", help="content-addressed cache (default $WASMIMAGE_OCI_CACHE "
                                                      "or .cache/oci)")
    pull_p.add_argument("--insecure", action="store_true", help="allow plain http to a non-loopback registry")
    pull_p.set_defaults(handler=_pull_command)

    inspect_p = commands.add_parser("inspect", help="summarise an image: sources, toolchain, sizes, conformance, "
                                                    "SBOM and provenance")
    inspect_p.add_argument("image", help="image directory or image reference, as for run")
    inspect_p.add_argument("--insecure", action="store_true", help="allow plain http to a non-loopback registry")
    inspect_p.set_defaults(handler=_inspect_command)


def _add_project_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """mirror, outdated and vendor-crates: what a checkout's recipes pin."""
    mirror_p = commands.add_parser("mirror", help="put every source of a recipe into a mirror directory "
                                                  "(for offline builds: WASMIMAGE_MIRRORS=DIR)")
    mirror_p.add_argument("recipe", help="recipe name (recipes/NAME.yaml)")
    mirror_p.add_argument("dir", help="mirror directory to write (created; existing entries are kept)")
    mirror_p.add_argument("--project", metavar="ROOT", help="project root (default: found from the cwd)")
    mirror_p.set_defaults(handler=lambda a, s: _mirror().mirror_command(a.recipe, a.dir, a.project, s))

    outdated_p = commands.add_parser("outdated", help="list every recipe and toolchain pin with the newest version "
                                                      "its channel offers (exit 1: a security release is missing)")
    outdated_p.add_argument("--project", metavar="ROOT", help="project root (default: found from the cwd)")
    outdated_p.add_argument("--debian-release", metavar="CODENAME",
                            help="the Debian release whose suites hold the toolchains' Debian packages "
                                 "(default: the one this machine runs)")
    outdated_p.set_defaults(handler=_outdated_command)

    vendor_p = commands.add_parser("vendor-crates", help="vendor the crates a Cargo.lock pins into a "
                                                         "deterministic tar.gz (a cargo-vendor source)")
    vendor_p.add_argument("cargo_dir", help="directory with Cargo.toml and Cargo.lock")
    vendor_p.add_argument("out", help="archive to write, e.g. rustpython-<commit>-vendor.tar.gz")
    vendor_p.add_argument("--cargo", metavar="PATH", help="cargo binary (default: cargo on PATH)")
    vendor_p.set_defaults(handler=lambda a, s: _mirror().vendor_command(a.cargo_dir, a.out, a.cargo))


def _outdated_command(args: argparse.Namespace, settings: Settings) -> int:
    from wasmimage.pipeline.mirror import find_root
    from wasmimage.pipeline.outdated.report import run
    from wasmimage.pipeline.project import Project

    root = Path(args.project).resolve() if args.project else find_root(Path.cwd())
    return run(Project(root, settings), args.debian_release)


def _mirror():
    from wasmimage.pipeline import mirror

    return mirror


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    log.set_verbosity(args.verbosity)
    try:
        return args.handler(args, Settings.from_environ())
    except PipelineError as exc:
        print(f"wasmimage: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a file named on the command line (a script, a request, --stdin)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"wasmimage: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return NotFound.exit_code if isinstance(exc, FileNotFoundError) else InvalidInput.exit_code
