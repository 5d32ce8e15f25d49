"""Anonymous counts and the curators' inbox: what the database keeps that is linked to no one.

Counts are per (day, event, topic, language, service menu), never per chat, and never finer than
a day. Questions are stored only when a worker presses "send this question anonymously", scrubbed
first (bot/core/scrub.py), with their language and day. The bot deletes counts after
`Settings.keep_counts_months` and questions after QUESTION_DAYS itself.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.replies import Count, StoreQuestion

QUESTION_DAYS = 90
SMALL = 3  # a report cell with fewer events shows "<3"


@dataclass(frozen=True, slots=True)
class CountRow:
    day: date
    event: str
    topic: str
    lang: str
    service: str
    n: int


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    day: date
    lang: str
    text: str


def months_before(today: date, months: int) -> date:
    """The same day `months` months earlier (the last day of a shorter month)."""
    year, month0 = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month0 + 1, min(today.day, calendar.monthrange(year, month0 + 1)[1]))


async def record(store: StatsQueries, effect: Count | StoreQuestion, lang: str, day: date) -> None:
    """Writes an anonymous effect of a reply (the one place both adapters go through)."""
    match effect:
        case Count(event, topic, service):
            await store.count(day, event, topic, lang, service)
        case StoreQuestion(text):
            await store.add_question(day, lang, text)


class StatsQueries:
    """The SQL of the anonymous tables; Storage provides the connection."""

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        raise NotImplementedError

    async def _read(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        raise NotImplementedError

    async def count(self, day: date, event: str, topic: str, lang: str, service: str) -> None:
        await self._write(
            "INSERT INTO counts (day, event, topic, lang, service, n) VALUES (?, ?, ?, ?, ?, 1) "
            "ON CONFLICT(day, event, topic, lang, service) DO UPDATE SET n = n + 1",
            (day.isoformat(), event, topic, lang, service),
        )

    async def counts(self, since: date | None = None) -> list[CountRow]:
        rows = await self._read(
            "SELECT day, event, topic, lang, service, n FROM counts WHERE day >= ? ORDER BY day",
            ((since or date.min).isoformat(),),
        )
        return [CountRow(date.fromisoformat(r[0]), r[1], r[2], r[3], r[4], int(r[5])) for r in rows]

    async def add_question(self, day: date, lang: str, text: str) -> None:
        await self._write(
            "INSERT INTO questions (day, lang, text) VALUES (?, ?, ?)", (day.isoformat(), lang, text)
        )

    async def questions(self, since: date | None = None) -> list[Question]:
        rows = await self._read(
            "SELECT id, day, lang, text FROM questions WHERE day >= ? ORDER BY id",
            ((since or date.min).isoformat(),),
        )
        return [Question(int(r[0]), date.fromisoformat(r[1]), r[2], r[3]) for r in rows]

    async def drop_question(self, question_id: int) -> bool:
        return await self._write("DELETE FROM questions WHERE id = ?", (question_id,)) > 0

    async def prune_stats(self, today: date, keep_months: int) -> None:
        """Retention, done by the bot itself: old counts and old questions are deleted."""
        await self._write(
            "DELETE FROM counts WHERE day < ?", (months_before(today, keep_months).isoformat(),)
        )
        cutoff = today - timedelta(days=QUESTION_DAYS)
        await self._write("DELETE FROM questions WHERE day < ?", (cutoff.isoformat(),))
