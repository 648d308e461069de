"""schemathesis against the running gateway's OpenAPI document, as the city's admin and as a township
clerk: no 5xx, no answer off its documented schema or status codes, and the clerk's answers name no unit
outside the clerk's subtree (tests/fuzz/scope_check.py). Bounded in time so `make test` stays short."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.eventkit.embedded import free_port
from tests.fuzz.scope_check import SCOPE_ENV, outside
from tests.up_process import Up, sanji

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
TOWNSHIP = "3205.320506.320506001"  # a township of `sanji demo`'s city
SECONDS_PER_TOKEN = 75
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "answers_within_scope",
    ]
)


def test_the_scope_check_finds_a_sibling_but_allows_the_units_above() -> None:
    answer = {"path": TOWNSHIP, "parent": "3205.320506", "breadcrumb": [{"path": "3205"}], "children": []}
    assert outside(answer, TOWNSHIP) == []
    sibling = {"cases": [{"unit": "3205.320506.320506002"}, {"unit": f"{TOWNSHIP}.x"}]}
    assert outside(sibling, TOWNSHIP) == ["3205.320506.320506002"]


@pytest.fixture
def data_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="sanji-fuzz-"))
    yield folder / "data"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def up(data_dir: Path) -> Iterator[Up]:
    run = Up(data_dir, free_port(), "up")
    yield run
    run.cleanup()


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def fuzz(url: str, token: str, scope: str, report: Path) -> subprocess.CompletedProcess[str]:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.scope_check", SCOPE_ENV: scope}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), env.get("PYTHONPATH")]))
    return run(
        str(schemathesis),
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "5",
        "--max-time",
        str(SECONDS_PER_TOKEN),
        "--workers",  # one: two threads crash CPython 3.11's ast.parse inside hypothesis ("AST constructor
        "1",  # recursion depth mismatch"), seen once the read routes documented their query parameters
        "--request-timeout",
        "20",
        "--seed",
        "20261207",
        "--report",
        "junit",
        "--report-dir",
        str(report),
        env=env,
        timeout=SECONDS_PER_TOKEN * 4 + 120,
    )


async def test_no_5xx_no_answer_off_schema_and_nothing_outside_the_tokens_scope(
    up: Up, data_dir: Path
) -> None:
    await up.wait_ready()
    demo = run(*sanji("demo", "--url", up.url), timeout=900)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    created = run(
        *sanji("tokens", "create", "--unit", TOWNSHIP, "--role", "clerk", "--name", "fuzz-clerk"),
        "--data-dir",
        str(data_dir),
    )
    assert created.returncode == 0, created.stderr
    clerk = created.stdout.strip().splitlines()[-1]
    for who, token, scope in (("admin", "dev-city-admin", "3205"), ("clerk", clerk, TOWNSHIP)):
        found = fuzz(up.url, token, scope, data_dir.parent / f"report-{who}")
        print(found.stdout[-1500:])  # the summary: operations, phases, cases generated
        assert found.returncode == 0, f"as the {who}:\n{found.stdout[-8000:]}\n{found.stderr[-2000:]}"
        assert " passed" in found.stdout, found.stdout[-2000:]
