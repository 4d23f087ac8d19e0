"""gunicorn on loopback, started and always stopped by the bench itself."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The README's production command, bound to loopback."""
    return [
        str(GUNICORN),
        "quizfunnel.wsgi",
        "--no-control-socket",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
    ]


class Server:
    """One gunicorn master and its workers, in a process group of their own.

    Its own group (a new session) keeps a Ctrl-C in the terminal away from
    it, so the bench decides the order of shutdown and always stops it in
    __exit__, whatever ended the run.
    """

    def __init__(self, *, workers: int, env: dict[str, str], log: Path) -> None:
        self.workers = workers
        self.env = env
        self.log = log
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def command(self) -> list[str]:
        return gunicorn_command(self.port, self.workers)

    def __enter__(self) -> Server:
        self.port = free_port()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                self.stop()
                raise ServerError(f"gunicorn exited:\n{self._log_tail()}")
            if self._answers() and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.2)
        self.stop()
        raise ServerError(
            f"gunicorn did not answer in {timeout:.0f} s:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 30) -> str:
        # The log lives in the run's scratch folder, gone after the run.
        try:
            return "\n".join(self.log.read_text().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            connection.request("GET", "/bench/ceiling/")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(child) for child in children.split()]

    def busy_ticks(self) -> int:
        """CPU time the workers have used so far, in clock ticks."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total

    def wait_idle(self, timeout: float = 30) -> None:
        """Return once the workers have used no CPU for a little while.

        Requests that wrk left behind when it stopped are still queued or
        running; the next measurement, and any count, waits for them.
        """
        deadline = time.monotonic() + timeout
        quiet, last = 0, self.busy_ticks()
        while quiet < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            now = self.busy_ticks()
            quiet = quiet + 1 if now == last else 0
            last = now

    def worker_memory(self) -> list[dict[str, int]]:
        """Peak and current resident memory of each worker, in KiB."""
        memory = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            values = dict(
                line.split(":", 1) for line in status.splitlines() if ":" in line
            )
            memory.append(
                {
                    "pid": pid,
                    "peak_rss_kib": int(values["VmHWM"].split()[0]),
                    "rss_kib": int(values["VmRSS"].split()[0]),
                }
            )
        return memory

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        stop_group(process, graceful=signal.SIGTERM)


def stop_group(
    process: subprocess.Popen[bytes], *, graceful: int, wait: float = 15
) -> None:
    """Stop a process started in its own session, and everything in its group."""
    try:
        os.killpg(process.pid, graceful)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=wait)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=wait)
