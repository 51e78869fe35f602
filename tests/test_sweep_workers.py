"""Worker processes never outlive the command that started them.

Only the main process is signalled (not its process group, as a shell's Ctrl-C would), so the
workers must notice on their own (SIGKILL) or be stopped by the main process (SIGTERM).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_sweep_run import write_experiment


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_leave_when_the_main_process_dies(tmp_path, sig):
    path = write_experiment(tmp_path, replicates=100, citizens=200, weeks=30, levels=3)  # 600 runs
    out = tmp_path / "s"
    cmd = [sys.executable, "-m", "hls_sim", "sweep", str(path), "--workers", "2", "--out", str(out), "--no-analyse"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 300  # a loaded machine starts workers slowly
        while time.monotonic() < deadline:
            if (out / "parts").is_dir() and len(list((out / "parts").glob("run-*.parquet"))) >= 4:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        workers = [p for p in _children(proc.pid) if "spawn" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) >= 2, "the sweep runs no worker processes"
        os.kill(proc.pid, sig)  # the main process only
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)], "worker processes outlived the sweep"
        assert not (out / "results.parquet").exists(), "the sweep finished before it could be stopped"
        if sig == signal.SIGTERM:
            assert proc.returncode == 128 + signal.SIGTERM
            err = proc.stderr.read().decode()
            assert "terminated" in err and "Traceback" not in err
            assert json.loads((out / "manifest.json").read_text())["status"] == "stopped"
            assert not (out / ".lock").exists()  # the stop was clean
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for p in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        proc.wait()
