"""The daily tip reaches each subscriber exactly once a day: through send faults, a stop in the
middle, a late start, and two instances on one database."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from bot.adapters.telegram.guide import GuideBot
from bot.adapters.telegram.tips import Broadcaster
from bot.core.core import Core
from bot.core.daily import BRUSSELS
from bot.storage import Storage
from bot.storage_guard import StorageGuard
from tests.botapi_stub import BotApiStub, Fault
from tests.conftest import TOKEN, RunningBot

NINE = datetime(2026, 11, 25, 9, 0, 2, tzinfo=BRUSSELS)  # two seconds past the hour


def fast(guide: GuideBot) -> Broadcaster:
    return Broadcaster(guide, rate=1000.0, backoff=0.01)


def tips_to(stub: BotApiStub) -> list[int]:
    return sorted(c.chat_id or 0 for c in stub.calls_to("sendMessage"))


def ledger(db_path: Path, day: str = "2026-11-25") -> dict[int, str]:
    with sqlite3.connect(db_path) as db:
        return dict(db.execute("SELECT chat_id, status FROM deliveries WHERE day = ?", (day,)).fetchall())


async def subscribe(storage: Storage, chats: range, hour: int = 9) -> None:
    for chat_id in chats:
        await storage.subscribe(chat_id, "en", hour)


async def test_send_faults_are_retried_as_telegram_asks_then_given_up_and_counted(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    await subscribe(running_bot.storage, range(1, 5))
    stub.inject(
        "sendMessage",
        Fault(status=429, retry_after=1, chat_id=1),  # waits one second as told, then arrives
        Fault(status=502, chat_id=2),  # a bad gateway, then arrives
        Fault(drop=True, chat_id=3),  # arrived, answer lost: not sent again
        *[Fault(status=500, chat_id=4)] * 4,  # fails every try: given up
    )
    stats = await fast(running_bot.guide()).run(running_bot.app.bot, NINE)
    assert stats == {"sent": 2, "removed": 0, "failed": 1, "unknown": 1}
    assert tips_to(stub) == [1, 2, 3]
    assert ledger(running_bot.db_path) == {1: "sent", 2: "sent", 3: "sent", 4: "failed"}
    again = await fast(running_bot.guide()).run(running_bot.app.bot, NINE.replace(minute=30))
    assert again == {"sent": 0, "removed": 0, "failed": 0, "unknown": 0} and tips_to(stub) == [1, 2, 3]
    assert TOKEN.split(":")[1] not in running_bot.log.getvalue()


class Crash(BaseException):
    """The process dies between two chats (not an Exception: nothing may catch it)."""


class StopsAfter(Broadcaster):
    def __init__(self, guide: GuideBot, sends: int) -> None:
        super().__init__(guide, rate=1000.0)
        self.left = sends

    async def pace(self) -> None:
        self.left -= 1
        if self.left == 0:
            raise Crash


async def test_a_stop_in_the_middle_resumes_without_skipping_or_doubling(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    await subscribe(running_bot.storage, range(100, 130))
    with pytest.raises(Crash):
        await StopsAfter(running_bot.guide(), 10).run(running_bot.app.bot, NINE)
    assert len(tips_to(stub)) == 10
    restarted = GuideBot(running_bot.guide().core, running_bot.guide().store)  # a new process: new owner
    stats = await fast(restarted).run(running_bot.app.bot, NINE.replace(minute=1))
    assert stats["sent"] == 20 and tips_to(stub) == list(range(100, 130))


async def test_a_late_start_sends_what_is_still_due_today_and_nothing_early(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    await subscribe(running_bot.storage, range(200, 203), hour=8)
    await subscribe(running_bot.storage, range(300, 302), hour=18)
    stats = await fast(running_bot.guide()).run(running_bot.app.bot, NINE.replace(hour=14, minute=30))
    assert stats["sent"] == 3 and tips_to(stub) == [200, 201, 202]  # 18:00 has not come yet


async def test_two_instances_on_one_database_send_each_tip_once(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    await subscribe(running_bot.storage, range(400, 440))
    other = StorageGuard(Storage(running_bot.db_path))
    await other.start()
    try:
        first, second = fast(running_bot.guide()), fast(GuideBot(core, other))
        results = await asyncio.gather(
            first.run(running_bot.app.bot, NINE), second.run(running_bot.app.bot, NINE)
        )
    finally:
        await other.stop()
    assert sorted(r["sent"] for r in results) == [0, 40]
    assert tips_to(stub) == list(range(400, 440))


async def test_the_sender_lease_is_exclusive_and_expires(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "lease.sqlite3")
    await storage.open()
    try:
        assert await storage.take_lease("a", now=100.0, seconds=60)
        assert not await storage.take_lease("b", now=150.0, seconds=60)  # a holds it
        assert await storage.take_lease("a", now=150.0, seconds=60)  # a renews
        assert await storage.take_lease("b", now=211.0, seconds=60)  # a died: stale after 60 s
        await storage.release_lease("b")
        assert await storage.take_lease("c", now=212.0, seconds=60)
    finally:
        await storage.close()


async def test_the_ledger_keeps_two_days_and_only_subscribed_chats(running_bot: RunningBot) -> None:
    storage = running_bot.storage
    await subscribe(storage, range(500, 502))
    for day in ("2026-11-23", "2026-11-24", "2026-11-25"):
        for chat_id in (500, 501):
            await storage.mark(datetime.fromisoformat(day).date(), chat_id, "sent")
    await storage.mark(NINE.date(), 999, "sent")  # not subscribed: never recorded
    await storage.forget(501)
    await storage.prune(NINE.date())
    with sqlite3.connect(running_bot.db_path) as db:
        rows = db.execute("SELECT day, chat_id FROM deliveries ORDER BY day").fetchall()
    assert rows == [("2026-11-24", 500), ("2026-11-25", 500)]


async def test_retention_runs_with_the_first_broadcast_pass_of_a_day_only(running_bot: RunningBot) -> None:
    storage, guide = running_bot.storage, running_bot.guide()
    broadcaster = fast(guide)
    old = datetime(2024, 1, 1).date()
    await storage.count(old, "shown", "coming-out", "en", "")
    await broadcaster.run(running_bot.app.bot, NINE)
    assert await storage.counts() == []  # older than the kept months: gone with the day's first pass
    await storage.count(old, "shown", "coming-out", "en", "")
    await broadcaster.run(running_bot.app.bot, NINE.replace(minute=1))
    assert len(await storage.counts()) == 1  # the same day's next passes leave retention alone
    await broadcaster.run(running_bot.app.bot, NINE.replace(day=26))
    assert await storage.counts() == []  # the next day's first pass prunes again
