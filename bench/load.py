"""Load from a second process: wrk on loopback, fixed duration and concurrency."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.server import HOST, stop_group

LUA = Path(__file__).resolve().parent / "lua" / "visitor.lua"

MISSING_WRK = (
    "wrk is not installed. Install Debian's package (apt-get install -y wrk), "
    "or run `make bench`, which installs it when running as root."
)


class LoadError(RuntimeError):
    pass


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise LoadError(MISSING_WRK)
    return path


def wrk_version() -> str:
    result = subprocess.run(
        [wrk_path(), "--version"], capture_output=True, text=True, check=False
    )
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright ..." or "wrk 4.2.0 [epoll] ..."
    words = (result.stdout or result.stderr).split()
    return " ".join(words[:2]) if words else "wrk"


@dataclass
class LoadRun:
    """What one wrk run saw, from its Lua totals and its own statistics."""

    mode: str
    seconds: float
    ok: int
    bad: int
    starved: int
    retried: int
    finished: int
    requests: int
    bytes: int
    socket_errors: dict[str, int]
    latency_ms: dict[str, float]
    in_flight: list[str] = field(default_factory=list)
    bad_sample: str = ""

    @property
    def rate(self) -> float:
        """Successful steps a second."""
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.bad + sum(self.socket_errors.values())

    @property
    def bytes_per_response(self) -> float:
        return self.bytes / self.requests if self.requests else 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadRun:
        return cls(
            mode=data["mode"],
            seconds=data["duration_us"] / 1e6,
            ok=data["ok"],
            bad=data["bad"],
            starved=data["starved"],
            retried=data["retried"],
            finished=data["finished"],
            requests=data["requests"],
            bytes=data["bytes"],
            socket_errors=data["socket_errors"],
            latency_ms={k: v / 1000 for k, v in data["latency_us"].items()},
            in_flight=data["in_flight"],
            bad_sample=data["bad_sample"],
        )


def run_wrk(
    *,
    port: int,
    mode: str,
    visitors_file: Path,
    seconds: int,
    connections: int,
    out: Path,
) -> LoadRun:
    """Run wrk against the server on loopback, one visitor per connection."""
    command = [
        wrk_path(),
        f"--threads={connections}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={LUA}",
        f"http://{HOST}:{port}/",
        "--",
        mode,
        str(visitors_file),
        str(connections),
    ]
    out.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_WRK_OUT": str(out)}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=seconds + 60)
    finally:
        if process.poll() is None:
            stop_group(process, graceful=signal.SIGINT, wait=5)
    if process.returncode != 0 or not out.exists():
        raise LoadError(f"wrk failed ({process.returncode}): {output.decode()}")
    return LoadRun.from_json(json.loads(out.read_text()))
