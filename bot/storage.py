"""The only thing guidebot stores: daily-tip subscriptions a chat explicitly asked for.

One row per subscribed chat: chat id, language, hour. Nothing else, ever. ``secure_delete``
overwrites erased rows so /forget removes the chat id from the file itself, not just its index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.lang import DEFAULT_LANG, Lang, as_lang

SCHEMA_VERSION = 2
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
}
# What /privacy promises, checked against the real schema by a test.
STORED_COLUMNS = {"subscriptions": ("chat_id", "lang", "hour")}


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    lang: Lang
    hour: int


class Storage:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path)
        for pragma in ("journal_mode=WAL", "secure_delete=ON", "foreign_keys=ON"):
            await self._run(f"PRAGMA {pragma}")
        await self._migrate()

    async def _run(self, sql: str) -> None:
        """Runs a statement to completion (an unread PRAGMA result would block VACUUM)."""
        async with self.db.execute(sql) as cursor:
            await cursor.fetchall()

    async def close(self) -> None:
        if self._db is not None:
            await self._run("PRAGMA wal_checkpoint(TRUNCATE)")
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("storage is not open")
        return self._db

    async def _migrate(self) -> None:
        await self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        async with self.db.execute("SELECT MAX(version) FROM schema_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row and row[0] is not None else 0
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version]:
                await self.db.execute(statement)
            await self.db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        await self.db.commit()

    async def version(self) -> int:
        async with self.db.execute("SELECT MAX(version) FROM schema_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def subscribe(self, chat_id: int, lang: Lang, hour: int) -> None:
        await self.db.execute(
            "INSERT INTO subscriptions (chat_id, lang, hour) VALUES (?, ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET lang = excluded.lang, hour = excluded.hour",
            (chat_id, lang, hour),
        )
        await self.db.commit()

    async def subscription(self, chat_id: int) -> Subscription | None:
        async with self.db.execute(
            "SELECT chat_id, lang, hour FROM subscriptions WHERE chat_id = ?", (chat_id,)
        ) as cur:
            row = await cur.fetchone()
        return _row(row) if row else None

    async def set_language(self, chat_id: int, lang: Lang) -> None:
        """Only touches chats that are already subscribed: a language choice alone is not stored."""
        await self.db.execute("UPDATE subscriptions SET lang = ? WHERE chat_id = ?", (lang, chat_id))
        await self.db.commit()

    async def forget(self, chat_id: int) -> bool:
        """Erase everything about a chat, from the file too (secure_delete, checkpoint, vacuum)."""
        async with self.db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)) as cursor:
            erased = (cursor.rowcount or 0) > 0
        await self.db.commit()
        await self._run("VACUUM")
        await self._run("PRAGMA wal_checkpoint(TRUNCATE)")
        return erased

    async def due(self, hour: int) -> list[Subscription]:
        async with self.db.execute(
            "SELECT chat_id, lang, hour FROM subscriptions WHERE hour = ? ORDER BY chat_id", (hour,)
        ) as cur:
            rows = await cur.fetchall()
        return [_row(r) for r in rows]

    async def count(self) -> int:
        async with self.db.execute("SELECT COUNT(*) FROM subscriptions") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def writable(self) -> bool:
        """For the health check: can we still write?"""
        try:
            await self._run("BEGIN IMMEDIATE")
            await self._run("ROLLBACK")
            return True
        except Exception:
            return False


def _row(row: Any) -> Subscription:
    chat_id, lang, hour = row[0], row[1], row[2]
    return Subscription(int(chat_id), as_lang(lang) or DEFAULT_LANG, int(hour))
