"""What the bench says while it runs: progress on stderr, figures on stdout."""

from __future__ import annotations

import sys


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class Quiet:
    """A stream that swallows a management command's chatter."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
