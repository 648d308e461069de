"""`sanji import` keeps a few batches in flight, yet its state only ever says "the first N are done"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.cli.import_cmd import IN_FLIGHT, ImportFailed, send_in_order
from tests.helpers import wait_until


async def test_answers_out_of_order_are_noted_in_file_order() -> None:
    release = {index: asyncio.Event() for index in range(5)}
    started: list[int] = []
    answered: list[int] = []
    noted: list[int] = []

    async def send(index: int) -> tuple[int, dict[str, Any]]:
        started.append(index)
        await release[index].wait()
        answered.append(index)
        return index, {"index": index}

    sending = asyncio.create_task(send_in_order(send, 0, 5, lambda index, _: noted.append(index)))
    await wait_until(lambda: len(started) == IN_FLIGHT, 5)
    assert started == list(range(IN_FLIGHT))
    release[2].set()
    release[1].set()
    await wait_until(lambda: len(started) == IN_FLIGHT + 2, 5)  # two answers: two new batches started
    assert sorted(answered) == [1, 2]
    assert noted == []  # batch 0 has no answer yet: nothing after it may be noted
    for event in release.values():
        event.set()
    await asyncio.wait_for(sending, 5)
    assert noted == [0, 1, 2, 3, 4]


async def test_a_failure_starts_nothing_new_and_notes_what_finished_before_it() -> None:
    started: list[int] = []
    noted: list[int] = []
    first_done = asyncio.Event()

    async def send(index: int) -> tuple[int, dict[str, Any]]:
        started.append(index)
        if index == 1:
            await first_done.wait()
            raise ImportFailed("the gateway did not answer")
        if index == 0:
            first_done.set()
        return index, {}

    with pytest.raises(ImportFailed):
        await asyncio.wait_for(send_in_order(send, 0, 10, lambda index, _: noted.append(index)), 5)
    assert noted == [0]  # batch 2 answered too, but after the gap at 1: sent again next run
    assert started == list(range(IN_FLIGHT))  # nothing new once batch 1 failed
