"""The only things guidebot stores: daily-tip subscriptions a chat explicitly asked for, which
of them got today's tip, and anonymous counts and questions (bot/stats.py).

One row per subscribed chat (chat id, language, hour) and, while a day's tips go out, one row per
chat and day (kept two days) so that a restart or a second instance never skips or doubles a
tip. The counts and the questions a worker chose to send hold no chat id. Nothing else, ever. ``secure_delete`` overwrites erased rows so /forget removes the chat id
from the file itself, not just its index. Every failure of the file or of SQLite surfaces as
``StorageUnavailable``: the bot then keeps answering questions (bot/storage_guard.py).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.actions import DAILY_CONTENTS, DailyContent
from bot.lang import DEFAULT_LANG, Lang, as_lang
from bot.stats import StatsQueries

SCHEMA_VERSION = 5
# Each step moves the schema from version N-1 to N; the bot applies the missing ones at start.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE subscriptions (
               chat_id INTEGER PRIMARY KEY,
               lang TEXT NOT NULL CHECK (lang IN ('en', 'fr', 'nl', 'pt')),
               hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23)
           )""",
    ),
    # Languages are data (bot/lang.py): a fifth one must not need a migration.
    2: (
        """CREATE TABLE subscriptions_v2 (
               chat_id INTEGER PRIMARY KEY,
               lang TEXT NOT NULL,
               hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23)
           )""",
        "INSERT INTO subscriptions_v2 (chat_id, lang, hour) SELECT chat_id, lang, hour FROM subscriptions",
        "DROP TABLE subscriptions",
        "ALTER TABLE subscriptions_v2 RENAME TO subscriptions",
    ),
    # The broadcast's ledger (today and yesterday only) and the single-sender lease.
    3: (
        """CREATE TABLE deliveries (
               day TEXT NOT NULL,
               chat_id INTEGER NOT NULL,
               status TEXT NOT NULL CHECK (status IN ('sent', 'skipped', 'failed')),
               PRIMARY KEY (day, chat_id)
           )""",
        """CREATE TABLE sender_lease (
               id INTEGER PRIMARY KEY CHECK (id = 1),
               owner TEXT NOT NULL,
               until REAL NOT NULL
           )""",
    ),
    # Anonymous: daily counts (no chat, no text) and the scrubbed questions workers chose to send.
    4: (
        """CREATE TABLE counts (
               day TEXT NOT NULL,
               event TEXT NOT NULL,
               topic TEXT NOT NULL,
               lang TEXT NOT NULL,
               service TEXT NOT NULL,
               n INTEGER NOT NULL,
               PRIMARY KEY (day, event, topic, lang, service)
           )""",
        """CREATE TABLE questions (
               id INTEGER PRIMARY KEY,
               day TEXT NOT NULL,
               lang TEXT NOT NULL,
               text TEXT NOT NULL
           )""",
    ),
    # What a subscriber receives each day: 'tips', 'reflections' or 'both'.
    5: ("ALTER TABLE subscriptions ADD COLUMN content TEXT NOT NULL DEFAULT 'tips'",),
}
# What /privacy promises, checked against the real schema by a test.
STORED_COLUMNS = {
    "subscriptions": ("chat_id", "lang", "hour", "content"),
    "deliveries": ("day", "chat_id", "status"),
    "counts": ("day", "event", "topic", "lang", "service", "n"),
    "questions": ("id", "day", "lang", "text"),
}
# Bookkeeping that holds nothing about anyone: a random token of the running process.
INTERNAL_COLUMNS = {"sender_lease": ("id", "owner", "until")}
# What the file, SQLite or aiosqlite raise when the database cannot be used (aiosqlite: ValueError
# on a closed connection).
_FAULTS = (sqlite3.Error, OSError, ValueError)
DeliveryStatus = str  # 'sent' | 'skipped' (subscribed after its hour) | 'failed' (gave up)


class StorageUnavailable(Exception):
    """The database cannot be opened, read or written right now; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    lang: Lang
    hour: int
    content: DailyContent = "tips"


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Storage(StatsQueries):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._inode: int | None = None

    async def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = await aiosqlite.connect(self.path, timeout=2.0)
            for pragma in ("journal_mode=WAL", "secure_delete=ON", "foreign_keys=ON"):
                await self._run(f"PRAGMA {pragma}")
            await self._migrate()
            self._inode = os.stat(self.path).st_ino
        except _FAULTS as exc:
            await self._drop()
            raise StorageUnavailable(_why(exc)) from None

    async def _drop(self) -> None:
        """Forgets a connection that failed, without raising."""
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(*_FAULTS):
                await db.close()

    def vanished(self) -> bool:
        """The file was deleted or replaced under us: our writes would go to an unlinked file."""
        try:
            return self._inode is not None and os.stat(self.path).st_ino != self._inode
        except OSError:
            return True

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Runs a statement to completion (an unread PRAGMA result would block VACUUM)."""
        async with self.db.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        try:
            async with self.db.execute(sql, tuple(params)) as cursor:
                changed = cursor.rowcount or 0
            await self.db.commit()
            return changed
        except _FAULTS as exc:
            raise StorageUnavailable(_why(exc)) from None

    async def _read(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        try:
            return await self._run(sql, params)
        except _FAULTS as exc:
            raise StorageUnavailable(_why(exc)) from None

    async def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(*_FAULTS):
                await self._run("PRAGMA wal_checkpoint(TRUNCATE)")
            await self._drop()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StorageUnavailable("the database is not open")
        return self._db

    async def _migrate(self) -> None:
        await self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = await self._version()
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version]:
                await self.db.execute(statement)
            await self.db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        await self.db.commit()

    async def _version(self) -> int:
        rows = await self._run("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    async def version(self) -> int:
        return int((await self._read("SELECT MAX(version) FROM schema_version"))[0][0] or 0)

    # ------------------------------------------------------------ subscriptions

    async def subscribe(self, chat_id: int, lang: Lang, hour: int, content: DailyContent = "tips") -> None:
        await self._write(
            "INSERT INTO subscriptions (chat_id, lang, hour, content) VALUES (?, ?, ?, ?) ON CONFLICT(chat_id) "
            "DO UPDATE SET lang = excluded.lang, hour = excluded.hour, content = excluded.content",
            (chat_id, lang, hour, content),
        )

    async def subscription(self, chat_id: int) -> Subscription | None:
        rows = await self._read(
            "SELECT chat_id, lang, hour, content FROM subscriptions WHERE chat_id = ?", (chat_id,)
        )
        return _row(rows[0]) if rows else None

    async def set_language(self, chat_id: int, lang: Lang) -> None:
        """Only touches chats that are already subscribed: a language choice alone is not stored."""
        await self._write("UPDATE subscriptions SET lang = ? WHERE chat_id = ?", (lang, chat_id))

    async def forget(self, chat_id: int) -> bool:
        """Erase everything about a chat, from the file too (secure_delete, checkpoint, vacuum)."""
        erased = await self._write("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)) > 0
        await self._write("DELETE FROM deliveries WHERE chat_id = ?", (chat_id,))
        try:
            await self._run("VACUUM")
            await self._run("PRAGMA wal_checkpoint(TRUNCATE)")
        except _FAULTS as exc:
            raise StorageUnavailable(_why(exc)) from None
        return erased

    async def all_subscriptions(self) -> list[Subscription]:
        rows = await self._read("SELECT chat_id, lang, hour, content FROM subscriptions ORDER BY chat_id")
        return [_row(r) for r in rows]

    # ------------------------------------------------------------ the day's deliveries

    async def pending(self, day: date, up_to_hour: int) -> list[Subscription]:
        """Chats whose hour has come today and that have no delivery row for today yet."""
        rows = await self._read(
            "SELECT s.chat_id, s.lang, s.hour, s.content FROM subscriptions s WHERE s.hour <= ? AND NOT EXISTS "
            "(SELECT 1 FROM deliveries d WHERE d.day = ? AND d.chat_id = s.chat_id) ORDER BY s.hour, s.chat_id",
            (up_to_hour, day.isoformat()),
        )
        return [_row(r) for r in rows]

    async def mark(self, day: date, chat_id: int, status: DeliveryStatus) -> None:
        """Records a chat's outcome for the day, only while the chat is subscribed."""
        await self._write(
            "INSERT OR REPLACE INTO deliveries (day, chat_id, status) "
            "SELECT ?, chat_id, ? FROM subscriptions WHERE chat_id = ?",
            (day.isoformat(), status, chat_id),
        )

    async def prune(self, today: date) -> None:
        """The ledger keeps today and yesterday only, and only chats still subscribed."""
        yesterday = date.fromordinal(today.toordinal() - 1).isoformat()
        await self._write(
            "DELETE FROM deliveries WHERE day < ? OR chat_id NOT IN (SELECT chat_id FROM subscriptions)",
            (yesterday,),
        )

    # ------------------------------------------------------------ one sender at a time

    async def take_lease(self, owner: str, now: float, seconds: float) -> bool:
        """The broadcast lease: ours if free, expired or already ours; one atomic statement."""
        changed = await self._write(
            "INSERT INTO sender_lease (id, owner, until) VALUES (1, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, until = excluded.until "
            "WHERE sender_lease.owner = excluded.owner OR sender_lease.until < ?",
            (owner, now + seconds, now),
        )
        return changed > 0

    async def release_lease(self, owner: str) -> None:
        await self._write("DELETE FROM sender_lease WHERE owner = ?", (owner,))


def _row(row: Any) -> Subscription:
    chat_id, lang, hour, content = row[0], row[1], row[2], row[3]
    kept: DailyContent = content if content in DAILY_CONTENTS else "tips"
    return Subscription(int(chat_id), as_lang(lang) or DEFAULT_LANG, int(hour), kept)


def read_only_check(path: Path) -> str | None:
    """For /healthz: a read on a connection of its own (a write in flight elsewhere does not
    matter). None when the file answers, else why not."""
    if not path.exists():
        return "the database file is missing"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
        try:
            conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()
        finally:
            conn.close()
        return None
    except sqlite3.Error as exc:
        return _why(exc)
