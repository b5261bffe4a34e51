"""The one retry loop: exponential backoff for failures that another attempt can fix.

Fetching sources, talking to a registry and uploading blobs all retry the same way, so the
policy (how many attempts, the first delay, doubling) is stated once. Standard library only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from wasmimage import log
from wasmimage.errors import Unavailable

T = TypeVar("T")


class Transient(Exception):
    """A failure worth another attempt: a 5xx or 429, a dropped connection, a timeout."""


@dataclass(frozen=True)
class Backoff:
    attempts: int = 4  # in all, the first included
    first_delay: float = 0.5  # seconds before the second attempt, doubled after each failure

    def delays(self) -> list[float]:
        """The waits between attempts: attempts - 1 of them."""
        return [self.first_delay * 2 ** n for n in range(self.attempts - 1)]


def with_retries(action: Callable[[], T], what: str, policy: Backoff = Backoff(),
                 stage: str = "retry") -> T:
    """action(), again after each Transient failure until policy.attempts; then Unavailable naming `what`.

    Any other exception passes through at once: a 404 or a digest mismatch is not retried.
    """
    for delay in policy.delays():
        try:
            return action()
        except Transient as exc:
            log.get(stage).warning("%s: %s; retrying in %.1fs", what, exc, delay)
            time.sleep(delay)
    try:
        return action()
    except Transient as exc:
        raise Unavailable(f"{what}: {exc} (gave up after {policy.attempts} attempts)") from None
