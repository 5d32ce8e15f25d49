"""Keeps the database usable, or says why not, without ever stopping the bot.

Only /daily needs the database; a question never does. So a database that cannot be opened or
written puts the bot in a degraded mode instead of killing it: the problem is logged once, a
background task retries with backoff, /healthz says ``degraded`` with the reason, and a user
who asks for /daily is told that tips are unavailable right now. A database file deleted while
the bot runs is noticed (SQLite would go on writing to the unlinked file) and recreated with
the subscriptions read back from the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator

from bot.storage import Storage, StorageUnavailable, read_only_check

log = logging.getLogger("bot.storage")
NOT_OPENED = "the database is not open yet"


class StorageGuard:
    def __init__(self, storage: Storage, retry: float = 5.0, max_retry: float = 300.0) -> None:
        self.storage = storage
        self.retry, self.max_retry = retry, max_retry
        self.reason: str | None = NOT_OPENED
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def available(self) -> bool:
        return self.reason is None

    async def start(self) -> None:
        """Opens the database if it can, and keeps watching it either way."""
        await self._open()
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.storage.close()

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[Storage]:
        """The storage for one operation; StorageUnavailable (raised here or inside) marks it down."""
        if self.reason is not None:
            raise StorageUnavailable(self.reason)
        if self.storage.vanished():
            await self._recreate()
        try:
            yield self.storage
        except StorageUnavailable as exc:
            self._down(str(exc))
            raise

    async def health(self) -> str | None:
        """None when the database answers; otherwise why not (for /healthz)."""
        if self.reason is not None:
            return self.reason
        if self.storage.vanished():
            return "the database file vanished; it is recreated on the next write"
        return await asyncio.to_thread(read_only_check, self.storage.path)

    # ------------------------------------------------------------ internals

    async def _open(self) -> bool:
        async with self._lock:
            await self.storage.close()
            try:
                await self.storage.open()
            except StorageUnavailable as exc:
                self._down(str(exc))
                return False
            if self.reason is not None and self.reason != NOT_OPENED:
                log.warning("storage: available again")
            self.reason = None
            return True

    def _down(self, reason: str) -> None:
        if self.reason in (None, NOT_OPENED):  # log the change, not every failing message
            log.error(
                "storage: unavailable (%s) at %s; questions are still answered, /daily is paused, retrying",
                reason,
                self.storage.path,
            )
        self.reason = reason

    async def _watch(self) -> None:
        delay = self.retry
        while True:
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # jitter: instances do not retry in step
            if self.reason is not None:
                delay = self.retry if await self._open() else min(delay * 2, self.max_retry)
            elif self.storage.vanished():
                with contextlib.suppress(StorageUnavailable):
                    await self._recreate()

    async def _recreate(self) -> None:
        """The file is gone: read what the old connection still sees, then write it to a new file."""
        async with self._lock:
            if not self.storage.vanished():
                return
            try:
                kept = await self.storage.all_subscriptions()
            except StorageUnavailable:
                kept = []
            await self.storage.close()
            try:
                await self.storage.open()
                for sub in kept:
                    await self.storage.subscribe(sub.chat_id, sub.lang, sub.hour)
            except StorageUnavailable as exc:
                self._down(str(exc))
                raise
            log.warning("storage: the database file vanished; recreated with %d subscription(s)", len(kept))
