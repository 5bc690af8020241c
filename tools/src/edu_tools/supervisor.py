"""Restart a crashed child process with backoff, the way compose's
``restart: unless-stopped`` and Kubernetes' CrashLoopBackOff do: the first
restart after 1 s, then 2, 4 … up to 30 s; a child that stayed up for a minute
starts again from 1 s. ``edu up`` and the fault-injection command use it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from edu_tools.backends import ChildProcess, spawn

INITIAL_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
STABLE_AFTER_S = 60.0


@dataclass
class Supervised:
    """One child and how to start it again; ``poll()`` is called every ~0.5 s."""

    name: str
    start: Callable[[], ChildProcess]
    say: Callable[[str], None]
    child: ChildProcess | None = None
    restarts: int = 0
    _backoff: float = INITIAL_BACKOFF_S
    _started_at: float = field(default_factory=time.monotonic)
    _restart_at: float | None = None

    def launch(self) -> ChildProcess:
        self.child = self.start()
        self._started_at = time.monotonic()
        return self.child

    def poll(self) -> None:
        now = time.monotonic()
        if self._restart_at is not None:
            if now >= self._restart_at:
                self._restart_at = None
                self.restarts += 1
                self.launch()
                self.say(f"{self.name} restarted (restart {self.restarts})")
            return
        if self.child is None or self.child.proc.poll() is None:
            return
        code = self.child.proc.returncode
        self.child.stop()  # closes its log
        if now - self._started_at >= STABLE_AFTER_S:
            self._backoff = INITIAL_BACKOFF_S
        delay = self._backoff
        self._backoff = min(self._backoff * 2, MAX_BACKOFF_S)
        self._restart_at = now + delay
        self.say(f"{self.name} exited with {code}; restarting in {delay:.0f} s")

    def stop(self) -> None:
        self._restart_at = None
        if self.child is not None:
            self.child.stop()


def same_again(
    child: ChildProcess, env: dict[str, str] | None = None
) -> Callable[[], ChildProcess]:
    """How to start ``child`` again: the same command, log file and environment."""
    argv = [str(a) for a in child.proc.args] if isinstance(child.proc.args, list) else []
    log_path = Path(child.log.name) if child.log is not None else None
    return lambda: spawn(child.name, argv, log_path=log_path, env=env)
