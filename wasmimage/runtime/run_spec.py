"""An image's `run` section as a typed record: how the runner starts the interpreter on a script.

The recipe's `run:` (checked by recipe.schema.json) and image.json's `run` (checked by
runtime/manifest.py) become a RunSpec once, right after validation; no other module reads
the raw dictionary. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunSpec:
    argv: tuple[str, ...]  # the interpreter's command line; "{script}" is the script's guest path
    script_name: str  # what the script is called inside the guest (its extension picks the suites)
    canary: str  # a script that must print "canary": the verify stage's first check
    out_of_memory_exit_code: int | None = None  # the exit code the interpreter uses for MemoryError
    mounts: tuple[tuple[str, tuple[str, ...]], ...] = ()  # guest directory -> image files, by guest path

    @classmethod
    def from_section(cls, run: Mapping[str, Any]) -> RunSpec:
        """From a validated `run` section (a recipe's: its executor and protocols are the recipe's business)."""
        return cls(tuple(run["argv"]), run["script_name"], run["canary"], run.get("out_of_memory_exit_code"),
                   tuple((guest, tuple(names)) for guest, names in sorted(run.get("mounts", {}).items())))

    def section(self) -> dict[str, Any]:
        """The form image.json records (what from_section reads back)."""
        section: dict[str, Any] = {"argv": list(self.argv), "script_name": self.script_name, "canary": self.canary}
        if self.out_of_memory_exit_code is not None:
            section["out_of_memory_exit_code"] = self.out_of_memory_exit_code
        if self.mounts:
            section["mounts"] = {guest: list(names) for guest, names in self.mounts}
        return section

    def command_line(self, script_path: str) -> tuple[str, ...]:
        """argv with the script's guest path in place of "{script}"."""
        return tuple(a.replace("{script}", script_path) for a in self.argv)

    @property
    def mounted_files(self) -> tuple[str, ...]:
        return tuple(name for _, names in self.mounts for name in names)

    @property
    def script_extension(self) -> str:
        return "." + self.script_name.rsplit(".", 1)[-1]
