"""Nothing personal is kept: canary values must not reach the database, its WAL or the logs."""

from __future__ import annotations

import contextlib
import sqlite3
import struct
from datetime import timedelta
from pathlib import Path

from bot.adapters.telegram.tips import broadcast
from bot.core.daily import brussels_now
from bot.storage import INTERNAL_COLUMNS, STORED_COLUMNS
from tests.botapi_stub import BotApiStub
from tests.conftest import TOKEN, Chat, RunningBot

USER_ID = 987_654_321_012
CANARIES = {
    "first name": "Zyxwquanta",
    "last name": "Plovdrimsk",
    "username": "qcanary_user",
    "language": "qcanarylang",
    "phone": "+32 470 99 88 77",
    "e-mail": "qcanary.mail@example.org",
    "free text": "Vorpalquix",
}


def encodings(number: int) -> list[bytes]:
    """How SQLite (big-endian, 1-8 bytes) or text could hold an integer."""
    out = [str(number).encode()]
    for size in (4, 6, 8):
        with contextlib.suppress(OverflowError):
            out.append(number.to_bytes(size, "big", signed=True))
    out.append(struct.pack(">d", float(number)))
    return out


def stored_bytes(db_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db_path.parent.glob(db_path.name + "*")))


def leaks(blob: bytes, *, chat_id_allowed: bool) -> list[str]:
    found = [
        name for name, value in CANARIES.items() if value.encode() in blob or value.lower().encode() in blob
    ]
    if TOKEN.encode() in blob or b"qcanaryTOKEN" in blob:
        found.append("token")
    if not chat_id_allowed and any(e in blob for e in encodings(USER_ID)):
        found.append("user/chat id")
    return found


async def test_a_whole_conversation_leaves_no_personal_data_in_db_or_logs(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    user = stub.user(
        USER_ID,
        CANARIES["language"],
        first_name=CANARIES["first name"],
        last_name=CANARIES["last name"],
        username=CANARIES["username"],
    )
    chat = Chat(stub, user)
    await chat.send("/start")
    await chat.send(
        f"{CANARIES['free text']} asked me about pronouns, call her on {CANARIES['phone']} or {CANARIES['e-mail']}"
    )
    await chat.send("she says she will kill herself tonight")
    await chat.send(f"/nonsense {CANARIES['free text']}")
    stub.inline(f"{CANARIES['free text']} pronouns", user=user)
    await stub.next_call("answerInlineQuery")
    tip = await chat.send("/tip")
    await chat.press(tip.button("›")["callback_data"], method="sendMessage")
    await stub.settle(0.3)

    logs = running_bot.log.getvalue()
    assert "reply kind=" in logs  # the bot did log, at DEBUG: the check below can fail
    assert leaks(logs.encode(), chat_id_allowed=False) == []
    assert leaks(stored_bytes(running_bot.db_path), chat_id_allowed=False) == []

    # Opting into daily tips stores the chat id, only in the subscription row and, once the day's
    # tip went out, in that day's ledger row.
    offer = await chat.send("/daily")
    await chat.press(offer.button("07:00")["callback_data"])
    tomorrow = brussels_now().replace(hour=7, minute=0) + timedelta(days=1)
    await broadcast(running_bot.guide(), running_bot.app.bot, tomorrow)
    with sqlite3.connect(running_bot.db_path) as db:
        assert db.execute("SELECT * FROM subscriptions").fetchall() == [(USER_ID, "en", 7)]
        day = tomorrow.date().isoformat()
        assert db.execute("SELECT * FROM deliveries WHERE day = ?", (day,)).fetchall() == [
            (day, USER_ID, "sent")
        ]
        for (table,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('subscriptions', 'deliveries')"
        ):
            rows = db.execute(f"SELECT * FROM {table}").fetchall()
            assert all(USER_ID not in row for row in rows), table
    assert leaks(stored_bytes(running_bot.db_path), chat_id_allowed=True) == []
    assert leaks(running_bot.log.getvalue().encode(), chat_id_allowed=False) == []

    # /forget removes it from the file itself, not just from the tables.
    await chat.send("/forget")
    with sqlite3.connect(running_bot.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone() == (0,)
    assert leaks(stored_bytes(running_bot.db_path), chat_id_allowed=False) == []
    assert leaks(running_bot.log.getvalue().encode(), chat_id_allowed=False) == []


def test_privacy_text_states_exactly_what_the_schema_stores(tmp_path: Path, core: object) -> None:
    import asyncio

    from bot.storage import Storage

    storage = Storage(tmp_path / "s.sqlite3")

    async def schema() -> dict[str, tuple[str, ...]]:
        await storage.open()
        try:
            tables = {}
            async with storage.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cursor:
                names = [r[0] for r in await cursor.fetchall()]
            for name in names:
                async with storage.db.execute(f"PRAGMA table_info({name})") as cursor:
                    tables[name] = tuple(r[1] for r in await cursor.fetchall())
            return tables
        finally:
            await storage.close()

    tables = asyncio.run(schema())
    assert tables == {"schema_version": ("version",), **STORED_COLUMNS, **INTERNAL_COLUMNS}
    words = {  # how each stored column is named to users in /privacy
        "en": {"chat_id": "chat id", "lang": "language", "hour": "hour", "day": "day", "status": "was sent"},
        "fr": {
            "chat_id": "identifiant de conversation",
            "lang": "langue",
            "hour": "heure",
            "day": "jour",
            "status": "a été envoyé",
        },
        "nl": {
            "chat_id": "id van het gesprek",
            "lang": "taal",
            "hour": "uur",
            "day": "dag",
            "status": "verstuurd",
        },
        "pt": {
            "chat_id": "identificador da conversa",
            "lang": "língua",
            "hour": "hora",
            "day": "dia",
            "status": "foi enviada",
        },
    }
    stored = {column for columns in STORED_COLUMNS.values() for column in columns}
    for lang, names in words.items():
        text = core.t(lang, "privacy")  # type: ignore[attr-defined]
        assert set(names) == stored
        for column, word in names.items():
            assert word in text, (lang, column)
