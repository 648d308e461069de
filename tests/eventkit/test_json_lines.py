"""In a service process nothing but JSON reaches stdout or stderr: prints, a library's own stream
handler, warnings, an exception in a thread and the exception that ends the process."""

from __future__ import annotations

import json
import subprocess
import sys

SERVICE = """
import logging, sys, threading, warnings
from services.eventkit.logs import configure_logging, log_everything_else

configure_logging("duty")
log_everything_else()
print("a stray print")
print("two lines\\nat once", file=sys.stderr)
sys.stderr.write("no newline yet")
sys.stderr.flush()
own = logging.getLogger("faststream.access.nats")  # a library adding its own text handler afterwards
own.propagate = False
own.addHandler(logging.StreamHandler(sys.stdout))
own.warning("coloured text")
warnings.warn("deprecated thing", DeprecationWarning, stacklevel=1)
thread = threading.Thread(target=lambda: 1 / 0, name="worker")
thread.start()
thread.join()
raise RuntimeError("the end")
"""


def test_everything_a_service_process_writes_is_a_json_line() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", SERVICE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    lines = (done.stdout + done.stderr).splitlines()
    records = [json.loads(line) for line in lines]  # fails on the first line that is not JSON
    assert all(record["service"] == "duty" for record in records)
    messages = [record["message"] for record in records]
    for expected in ("a stray print", "two lines", "at once", "no newline yet", "coloured text"):
        assert expected in messages
    assert any("deprecated thing" in message for message in messages)
    uncaught = [record for record in records if record["logger"] == "sanji.uncaught"]
    assert [record["message"] for record in uncaught] == [
        "uncaught exception in worker",
        "uncaught exception in the main thread",
    ]
    assert "ZeroDivisionError" in uncaught[0]["exc_info"]
    assert "RuntimeError: the end" in uncaught[1]["exc_info"]
