"""Under CI=true a skipped test fails the run: a check that skips (a tool missing) has never run."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import tests.conftest as root


def finish(monkeypatch: pytest.MonkeyPatch, ci: str | None, skipped: bool) -> int:
    monkeypatch.setattr(root, "_skipped", [])  # this run's own list stays untouched
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    root.pytest_runtest_logreport(SimpleNamespace(skipped=skipped, nodeid="t::x", longrepr="no tool"))  # type: ignore[arg-type]
    session = SimpleNamespace(exitstatus=0)
    root.pytest_sessionfinish(session, 0)  # type: ignore[arg-type]
    return int(session.exitstatus)


def test_a_skip_fails_the_run_only_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    assert finish(monkeypatch, "true", skipped=True) == pytest.ExitCode.TESTS_FAILED
    assert finish(monkeypatch, None, skipped=True) == 0
    assert finish(monkeypatch, "true", skipped=False) == 0
