"""What a SIGKILLed postmaster leaves in its data dir, cleared before a new one starts there: its orphaned
backends (waited out, then SIGKILLed by PID) and lock files that no live postgres of the data dir owns."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import psutil

from services.eventkit.embedded.processes import wait_pid_gone

WAIT = 15.0  # seconds an orphaned backend gets to notice its postmaster is gone and exit


def works_in(pid: int, data_dir: Path) -> bool:
    """Whether pid is a live postgres process (postmaster or backend) whose working dir is data_dir."""
    try:
        proc = psutil.Process(pid)
        return (
            proc.status() != psutil.STATUS_ZOMBIE
            and proc.name().startswith("postgres")
            and Path(proc.cwd()) == data_dir
        )
    except psutil.Error:
        return False


def reap_orphans(data_dir: Path, timeout: float = WAIT) -> None:
    """Wait for (then SIGKILL by PID) the backends of a dead postmaster of data_dir.

    A new postmaster beside them would share the data files with processes still attached to the old
    shared memory; they exit by themselves once they notice their postmaster is gone.
    """
    orphans = [p.pid for p in psutil.process_iter() if p.pid != os.getpid() and works_in(p.pid, data_dir)]
    for pid in orphans:
        if not wait_pid_gone(pid, timeout) and works_in(pid, data_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_pid_gone(pid, timeout)


def clear_stale_locks(data_dir: Path, socket_lock: Path | None) -> None:
    """Remove postmaster.pid and the socket lock file, each only when no live postgres of data_dir owns it.

    postgres refuses to start while the PID a lock names exists at all (and it may signal it), so a lock
    naming a PID since reused by an unrelated process, or an unreaped zombie, would block it for good.
    """
    for lock in (data_dir / "postmaster.pid", socket_lock):
        if lock is None or not lock.exists():
            continue
        try:
            pid = int(lock.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            pid = 0  # unreadable or empty: no process owns it
        if not works_in(pid, data_dir):
            lock.unlink(missing_ok=True)
