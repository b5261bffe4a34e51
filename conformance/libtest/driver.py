"""Run one module of CPython's Lib/test with unittest, the way `python -m test MODULE` does, and
print one line of counts: `LIBTEST-RESULT {json}` (benchmarks/libtest.py reads it).

Runs inside an image: `driver.py MODULE LIB SCRATCH`, where LIB is the read-only directory that
holds the `test` package and SCRATCH a writable directory, the working directory of the tests
(regrtest's temporary cwd) and their temporary directory. As regrtest by default: no `-u`
resources (support.use_resources = []), not verbose. While it runs, each test's id goes to
stderr as it starts, so a run that ends abnormally (a trap, a timeout) shows where.
"""

import io
import json
import os
import sys
import traceback
import unittest

MARK = "LIBTEST-RESULT "
DETAILS = 30  # failing tests named, at most, with the last line of their traceback


class Result(unittest.TextTestResult):
    def startTest(self, test):
        print(f"> {test.id()}", file=sys.__stderr__, flush=True)
        super().startTest(test)


def outcome_line(traceback_text):
    """The exception's first line: in the last traceback, the first line that is not a frame."""
    last = traceback_text.rpartition("Traceback (most recent call last):")[2]
    lines = [line for line in last.splitlines() if line.strip() and not line[0].isspace()]
    return lines[0][:300] if lines else traceback_text.strip()[-300:]


def counts(result):
    failing = result.failures + result.errors
    failed_ids = {getattr(test, "test_case", test).id() for test, _ in failing}
    return {"run": result.testsRun, "failures": len(result.failures), "errors": len(result.errors),
            "skipped": len(result.skipped), "expected_failures": len(result.expectedFailures),
            "unexpected_successes": len(result.unexpectedSuccesses), "failed_tests": len(failed_ids),
            "details": [[test.id(), outcome_line(text)] for test, text in failing[:DETAILS]]}


def run(name):
    from test import support

    support.use_resources = []
    support.verbose = 0
    support.record_original_stdout(sys.stdout)
    try:
        module = __import__(f"test.{name}", fromlist=["*"])
    except unittest.SkipTest as skipped:
        return {"module_skipped": str(skipped)[:300]}
    except Exception:
        return {"import_error": outcome_line(traceback.format_exc())}
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromModule(module)
    if loader.errors:
        return {"load_errors": [outcome_line(error) for error in loader.errors[:DETAILS]]}
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=0, resultclass=Result).run(suite)
    return counts(result)


def main():
    name, lib, scratch = sys.argv[1:4]
    sys.path.insert(0, lib)
    os.chdir(scratch)
    os.environ["TMPDIR"] = scratch
    report = run(name)
    print(MARK + json.dumps(report, sort_keys=True), flush=True)


main()
