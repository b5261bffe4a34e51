"""`python -m wasmimage outdated`: which pins have newer releases (report.py), asked of one channel module each."""
