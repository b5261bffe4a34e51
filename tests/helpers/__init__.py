"""What tests share besides fixtures (those live in the conftest.py files): the checkout and doit
(project), a native-code payload (native), a scriptable HTTP server (flaky_server) and a real OCI
registry (registry). Imported as `from helpers.project import ROOT`: pyproject.toml puts tests/ on
pytest's path."""
