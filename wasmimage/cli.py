"""Consumer CLI: `python -m wasmimage run IMAGE SCRIPT_FILE` runs a script in an image."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wasmimage.errors import PipelineError
from wasmimage.runner import Limits, run

DEFAULTS = Limits()


def _run_command(args: argparse.Namespace) -> int:
    stdin = Path(args.stdin).read_bytes() if args.stdin else (b"" if sys.stdin.isatty() else sys.stdin.buffer.read())
    limits = Limits(timeout=args.timeout, memory_bytes=args.memory_mb * 1024 * 1024,
                    max_stdout_bytes=args.max_output_bytes, max_stderr_bytes=args.max_output_bytes)
    result = run(Path(args.image), Path(args.script), stdin=stdin, limits=limits)
    if args.json:
        print(json.dumps(result.to_json(), default=str))
    else:
        sys.stdout.buffer.write(result.stdout)
        sys.stdout.flush()
        sys.stderr.buffer.write(result.stderr)
        if result.outcome not in ("ok", "error"):
            print(f"wasmimage: {result.outcome}: {result.reason}", file=sys.stderr)
    if result.exit_code is not None and (result.outcome in ("ok", "error")):
        return result.exit_code
    return 125 if result.exit_code in (None, 0) else result.exit_code


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m wasmimage", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    run_p = commands.add_parser("run", help="run a script in an image, stdin passed through, exit code mirrored")
    run_p.add_argument("image", help="image directory (artifacts/images/NAME/TAG)")
    run_p.add_argument("script", help="script file to run")
    run_p.add_argument("--stdin", metavar="FILE", help="read the script's stdin from FILE (default: our stdin)")
    run_p.add_argument("--timeout", type=float, default=DEFAULTS.timeout, metavar="S",
                       help=f"wall-clock deadline in seconds (default {DEFAULTS.timeout})")
    run_p.add_argument("--memory-mb", type=int, default=DEFAULTS.memory_bytes // 2**20, metavar="N",
                       help=f"linear memory cap (default {DEFAULTS.memory_bytes // 2**20})")
    run_p.add_argument("--max-output-bytes", type=int, default=DEFAULTS.max_stdout_bytes, metavar="N",
                       help=f"cap for stdout and for stderr (default {DEFAULTS.max_stdout_bytes})")
    run_p.add_argument("--json", action="store_true", help="print the whole result as one JSON object")
    run_p.set_defaults(handler=_run_command)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except PipelineError as exc:
        print(f"wasmimage: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"wasmimage: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
