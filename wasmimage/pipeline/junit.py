"""The conformance report as JUnit XML, the format CI systems display.

One <testsuite> per conformance suite, one <testcase> per script (or protocol request).
A failure's text is the verify stage's account of it (expected against actual output); a
known difference is a <skipped> case with its reason. No times: the file is a function of the
report alone, so a cached verify stage writes the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from wasmimage import files

FILE_NAME = "conformance-junit.xml"


def path_for(report: Path) -> Path:
    """Where the JUnit file of a conformance report goes: beside it."""
    return report.with_name(FILE_NAME)


def document(report: dict[str, Any]) -> bytes:
    image = report["image"]
    summary = report["summary"]
    root = ET.Element("testsuites", name=f"{image} conformance",
                      tests=str(sum(summary.values())), failures=str(summary["failed"]),
                      skipped=str(summary["expected_failures"]))
    for suite, results in sorted(report["suites"].items()):
        cases = sorted([(name, None, "") for name in results["passed"]]
                       + [(name, "failure", why) for name, why in results["failed"].items()]
                       + [(name, "skipped", why) for name, why in results["expected_failures"].items()])
        element = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases)),
                                failures=str(len(results["failed"])), skipped=str(len(results["expected_failures"])))
        for name, kind, why in cases:
            case = ET.SubElement(element, "testcase", classname=f"{image}.{suite.replace('/', '.')}", name=name)
            if kind == "failure":
                ET.SubElement(case, "failure", message=why.splitlines()[0]).text = why
            elif kind == "skipped":
                ET.SubElement(case, "skipped", message=f"known difference: {why}")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def write(report_path: Path) -> Path:
    """Write the JUnit file beside the report; returns its path."""
    target = path_for(report_path)
    files.write_bytes(target, document(files.read_json(report_path)))
    return target
