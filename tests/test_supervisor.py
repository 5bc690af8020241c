"""`edu up` restarts a crashed child with backoff and says so (edu_tools.supervisor)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from edu_tools.backends import spawn
from edu_tools.supervisor import Supervised, same_again


def test_a_crashed_child_is_restarted_with_growing_backoff(tmp_path: Path) -> None:
    marker = tmp_path / "starts"
    script = f"open({str(marker)!r}, 'a').write('x'); raise SystemExit(3)"
    child = spawn("crasher", [sys.executable, "-c", script], log_path=tmp_path / "crasher.log")
    said: list[str] = []
    entry = Supervised("crasher", same_again(child), said.append, child)
    deadline = time.monotonic() + 15
    while entry.restarts < 2 and time.monotonic() < deadline:
        entry.poll()
        time.sleep(0.05)
    entry.stop()
    assert said[:4] == [
        "crasher exited with 3; restarting in 1 s",
        "crasher restarted (restart 1)",
        "crasher exited with 3; restarting in 2 s",
        "crasher restarted (restart 2)",
    ]
    assert marker.read_text().startswith("xx")


def test_a_running_child_is_left_alone(tmp_path: Path) -> None:
    child = spawn("sleeper", [sys.executable, "-c", "import time; time.sleep(30)"])
    said: list[str] = []
    entry = Supervised("sleeper", same_again(child), said.append, child)
    for _ in range(5):
        entry.poll()
        time.sleep(0.05)
    entry.stop()
    assert said == []
    assert child.proc.poll() is not None  # stop() ended it
