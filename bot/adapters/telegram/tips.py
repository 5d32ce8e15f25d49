"""The daily tip, exactly once a day per subscribed chat, through restarts and faults.

A ledger in the database (bot/storage.py) records each chat's outcome for the day as it is sent,
so a run picks up whatever is still due today: after a restart, a late start, a run that lasted
past the hour, or a crash in the middle. A lease in the same database lets one instance send at a
time. Sends are paced to leave a third of Telegram's budget to interactive replies; a 429 waits
as Telegram asks, a 5xx or a connection that never left is retried with backoff, then given up
and counted. A send whose outcome is unknown (the request left, the answer was lost) is not
repeated: a tip lost is cheaper than a tip twice.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import warnings
from datetime import date, datetime, timedelta
from weakref import WeakKeyDictionary

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.telegram.context import App, GuideContext
from bot.adapters.telegram.deliver import deliver, outcome_unknown
from bot.adapters.telegram.guide import GuideBot
from bot.core.daily import BRUSSELS, brussels_now
from bot.storage import Storage, StorageUnavailable, Subscription

log = logging.getLogger("bot.telegram")
_GONE = ("chat not found", "deactivated")  # a BadRequest that means the chat no longer exists
BROADCAST_RATE = 20.0  # sends per second at most: two thirds of Telegram's ~30/s per bot
LEASE_SECONDS = 120.0  # the sender lease; renewed while sending, so a dead sender frees it soon
MAX_TRIES = 4  # per chat and day, for failures that say the tip did not arrive
BACKOFF = 1.0  # seconds before the second try; doubles each time
CHECK_EVERY = 60.0  # seconds between looks at what is due (late starts, lost hours)


class Broadcaster:
    def __init__(self, guide: GuideBot, rate: float = BROADCAST_RATE, backoff: float = BACKOFF) -> None:
        self.guide = guide
        self.owner = secrets.token_hex(8)  # this process, for the lease; nothing about anyone
        self.rate, self.backoff = rate, backoff
        self._busy = asyncio.Lock()
        self._pruned: date | None = None  # retention runs once a day, not on every one-minute pass

    async def run(self, bot: Bot, when: datetime) -> dict[str, int]:
        """Sends today's tip to every chat whose hour has come and has not had it yet."""
        stats = {"sent": 0, "removed": 0, "failed": 0, "unknown": 0}
        if self._busy.locked():  # the run in progress takes whatever is due
            return stats
        async with self._busy:
            when = when.astimezone(BRUSSELS)
            try:
                async with self.guide.store.use() as store:
                    if not await store.take_lease(self.owner, time.time(), LEASE_SECONDS):
                        log.info("daily messages: another instance is sending")
                        return stats
                    try:
                        if self._pruned != when.date():
                            await store.prune(when.date())
                            await store.prune_stats(when.date(), self.guide.keep_counts_months)
                            self._pruned = when.date()
                        await self._send_all(
                            bot, store, await store.pending(when.date(), when.hour), when, stats
                        )
                    finally:
                        await store.release_lease(self.owner)
            except StorageUnavailable:
                return stats  # logged once by the guard; the next run picks up where this one stopped
        if any(stats.values()):
            log.info(
                "daily messages (tips, reflections) hour=%d sent=%d removed=%d failed=%d unknown=%d",
                when.hour,
                stats["sent"],
                stats["removed"],
                stats["failed"],
                stats["unknown"],
            )
        return stats

    async def _send_all(
        self, bot: Bot, store: Storage, due: list[Subscription], when: datetime, stats: dict[str, int]
    ) -> None:
        renewed = time.monotonic()
        for sub in due:
            outcome = await self._send(bot, store, sub, when)
            stats[outcome] += 1
            if outcome != "removed":
                await store.mark(when.date(), sub.chat_id, "failed" if outcome == "failed" else "sent")
            if outcome == "sent":
                await store.count(when.date(), "tip_sent", "", sub.lang, "")
            if time.monotonic() - renewed > LEASE_SECONDS / 4:
                await store.take_lease(self.owner, time.time(), LEASE_SECONDS)
                renewed = time.monotonic()
            await self.pace()

    async def pace(self) -> None:
        """Between two chats: keeps the broadcast within its share of Telegram's budget."""
        await asyncio.sleep(1 / self.rate)

    async def _send(self, bot: Bot, store: Storage, sub: Subscription, when: datetime) -> str:
        reply = self.guide.core.daily_reply(sub.lang, sub.content, when.date())
        for attempt in range(MAX_TRIES):
            try:
                await deliver(bot, sub.chat_id, reply)
                return "sent"
            except RetryAfter as exc:
                with warnings.catch_warnings():  # int today, timedelta in PTB's next major: both handled
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    wait = exc.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else float(wait))
            except Forbidden:
                await store.forget(sub.chat_id)
                return "removed"
            except BadRequest as exc:
                if any(gone in str(exc).lower() for gone in _GONE):
                    await store.forget(sub.chat_id)
                    return "removed"
                return "failed"  # the message itself was refused: trying again changes nothing
            except TelegramError as exc:
                if outcome_unknown(exc):
                    return "unknown"
                await asyncio.sleep(self.backoff * 2**attempt)
        return "failed"


_broadcasters: WeakKeyDictionary[GuideBot, Broadcaster] = WeakKeyDictionary()


async def broadcast(guide: GuideBot, bot: Bot, when: datetime) -> dict[str, int]:
    """One run of the guide's broadcaster (what the job does every minute)."""
    if guide not in _broadcasters:
        _broadcasters[guide] = Broadcaster(guide)
    return await _broadcasters[guide].run(bot, when)


async def _tick(context: GuideContext) -> None:
    await broadcast(context.guide, context.bot, brussels_now())


def register(app: App) -> None:
    """Looks every minute for what is due; the first look a few seconds after start."""
    if app.job_queue is None:
        return
    app.job_queue.run_repeating(_tick, interval=CHECK_EVERY, first=5, name="daily-tips")
