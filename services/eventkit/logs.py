"""JSON log lines with the correlation id of whatever command or event is being handled.

Every line a service writes is one JSON object: libraries' loggers propagate to the one JSON handler,
Python warnings and uncaught exceptions become records, and whatever else is written to sys.stdout or
sys.stderr (a print, a library's own stream handler) is turned into a record line by line.
"""

from __future__ import annotations

import contextvars
import io
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

_correlation: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation", default=None)
# Libraries that give their loggers handlers of their own (FastStream writes coloured text to stderr).
FOREIGN_LOGGERS = ("faststream", "uvicorn", "uvicorn.error", "uvicorn.access", "asyncio", "nats")
QUIET_LOGGERS = ("uvicorn.access", "faststream", "nats")  # per-message chatter: warnings and up only


@contextmanager
def correlation(correlation_id: str | None) -> Iterator[None]:
    token = _correlation.set(correlation_id)
    try:
        yield
    finally:
        _correlation.reset(token)


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlationid = _correlation.get()
        return True


class LinesAsRecords(io.TextIOBase):
    """A stand-in for sys.stdout / sys.stderr: each line written to it is logged as one record."""

    def __init__(self, logger: logging.Logger, level: int, real: TextIO) -> None:
        super().__init__()
        self.logger, self.level, self.real = logger, level, real
        self._pending = ""
        self._lock = threading.Lock()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # io.TextIOBase declares it read-only
        return "utf-8"

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.real.fileno()  # for code that needs a descriptor (faulthandler): the real stream

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.strip():
                self.logger.log(self.level, line.rstrip())
        return len(text)

    def flush(self) -> None:
        with self._lock:
            line, self._pending = self._pending, ""
        if line.strip():
            self.logger.log(self.level, line.rstrip())


def _log_uncaught(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None, where: str
) -> None:
    logging.getLogger("sanji.uncaught").critical(
        "uncaught exception in %s", where, exc_info=(kind, error, traceback)
    )


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        thread = args.thread.name if args.thread is not None else "a thread"
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback, thread)


def _log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    logging.getLogger("sanji.uncaught").error(
        "exception ignored in %r: %s",
        unraisable.object,
        unraisable.err_msg or "",
        exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback)
        if unraisable.exc_value is not None
        else None,
    )


def configure_logging(service: str, level: str = "INFO") -> None:
    """One JSON handler on stderr for every logger, libraries' included (they lose their own handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlationid)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    )
    handler.addFilter(_CorrelationFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in FOREIGN_LOGGERS:
        foreign = logging.getLogger(name)
        foreign.handlers.clear()
        foreign.propagate = True
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel("WARNING")


def log_everything_else() -> None:
    """Make warnings, uncaught exceptions and stray stdout/stderr lines log records (a service process only).

    Call after configure_logging: its handler keeps the real stderr, which sys.stderr no longer is.
    """
    real = sys.stderr
    logging.captureWarnings(True)
    sys.excepthook = lambda kind, error, tb: _log_uncaught(kind, error, tb, "the main thread")
    threading.excepthook = _log_thread_exception
    sys.unraisablehook = _log_unraisable
    sys.stdout = LinesAsRecords(logging.getLogger("stdout"), logging.INFO, real)
    sys.stderr = LinesAsRecords(logging.getLogger("stderr"), logging.WARNING, real)
