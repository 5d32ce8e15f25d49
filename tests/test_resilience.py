"""Faults from outside, through the real PTB Application and the Bot API stub: a database that
cannot be opened or vanishes, a hostile webhook client, a reply whose answer is lost, Telegram
down at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.app import build_application, single_instance, wait_for_telegram
from bot.adapters.telegram.server import SECRET_HEADER, serve_webhook
from bot.config import ConfigError, Settings
from bot.core.core import Core
from bot.storage import Storage
from tests.botapi_stub import BotApiStub, Fault
from tests.conftest import ROOT, TOKEN, Chat, RunningBot, free_port, polling_bot, run_bot


@contextlib.asynccontextmanager
async def bot_on(stub: BotApiStub, core: Core, db_path: Path) -> AsyncIterator[tuple[Any, io.StringIO]]:
    """A polling bot on the given database, its storage guard retrying every 0.1 s."""
    async with polling_bot(stub, core, db_path, storage_retry=0.1) as (app, _, log):
        yield app, log


async def until(condition: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_a_database_that_cannot_be_opened_pauses_tips_only_and_recovers(
    stub: BotApiStub, core: Core, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file where the database folder should be")
    async with bot_on(stub, core, blocker / "guidebot.sqlite3") as (app, log):
        guide, chat = app.bot_data["guide"], Chat(stub, stub.user(1201, "fr"))
        answer = await chat.send("comment demander les pronoms")
        assert "pronom" in answer.text.lower() and answer.text != core.t("fr", "error")
        for _ in range(2):
            paused = await chat.send("/daily")
            assert paused.text == core.t("fr", "store.unavailable") and paused.buttons() == []
        assert (await chat.send("/forget")).text == core.t("fr", "store.forget")
        await asyncio.sleep(1.0)  # several background retries fail meanwhile
        assert log.getvalue().count("storage: unavailable") == 1  # once, not per message or retry
        assert "retrying" in log.getvalue()
        assert await guide.store.health() is not None

        blocker.unlink()  # the deployer fixes the folder: the bot notices without a restart
        await until(lambda: guide.store.available)
        assert await guide.store.health() is None and "storage: available again" in log.getvalue()
        assert TOKEN not in log.getvalue() and TOKEN.split(":")[1] not in log.getvalue()
        offer = await chat.send("/daily")
        await chat.press(offer.button("07:00")["callback_data"])
    with sqlite3.connect(blocker / "guidebot.sqlite3") as db:
        assert db.execute("SELECT chat_id, lang, hour FROM subscriptions").fetchall() == [(1201, "fr", 7)]


async def test_a_deleted_database_file_is_noticed_and_the_subscription_kept(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    guide, chat = running_bot.guide(), Chat(stub, stub.user(1202, "en"))
    offer = await chat.send("/daily")
    await chat.press(offer.button("08:00")["callback_data"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{running_bot.db_path}{suffix}").unlink(missing_ok=True)
    assert "vanished" in (await guide.store.health() or "")
    again = await chat.send("/daily")  # the next use recreates the file from what the old one held
    assert core.t("en", "daily.current", hour="08") in again.text
    assert await guide.store.health() is None
    with sqlite3.connect(running_bot.db_path) as db:
        assert db.execute("SELECT chat_id, hour FROM subscriptions").fetchall() == [(1202, 8)]


async def test_health_reads_on_its_own_connection_while_writes_are_in_flight(running_bot: RunningBot) -> None:
    guide = running_bot.guide()

    async def write(i: int) -> None:
        async with guide.store.use() as store:
            await store.subscribe(5000 + i, "en", 9)

    results = await asyncio.gather(
        *(write(i) for i in range(100)), *(guide.store.health() for _ in range(100))
    )
    assert [r for r in results if r is not None] == []


def raw_request(port: int, head: str, body: bytes = b"", timeout: float = 5.0) -> str:
    """Sends a request by hand (a lying Content-Length included); returns the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + body)
        return sock.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


async def test_webhook_checks_the_secret_before_the_body_limits_it_and_refuses_junk_quietly(
    stub: BotApiStub, core: Core, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(token=TOKEN, base_url=stub.url, db_path=tmp_path / "db.sqlite3")
    app = build_application(settings, core, Storage(settings.db_path), rate_limit=False, daily_job=False)
    port, stop, started = free_port(), asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve_webhook(
            app,
            listen="127.0.0.1",
            port=port,
            public_url="https://bot.example.org",
            secret="s3cret",
            max_body=4096,
            stop=stop,
            started=started,
        )
    )
    await asyncio.wait_for(started.wait(), 10)
    caplog.set_level(logging.INFO)
    try:
        huge = (
            "POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 90000000"
        )
        # 90 MB announced, 1 KB sent: refused at once on the headers, nothing buffered
        assert (await asyncio.to_thread(raw_request, port, huge, b"x" * 1024)).endswith("403 Forbidden")
        authed = huge + f"\r\n{SECRET_HEADER}: s3cret"
        assert "413" in await asyncio.to_thread(raw_request, port, authed, b"x" * 1024)

        def post(body: bytes, secret: str = "s3cret", method: str = "POST") -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            headers = {"Content-Type": "application/json", SECRET_HEADER: secret} if secret else {}
            conn.request(method, "/telegram", body if method == "POST" else None, headers)
            status = conn.getresponse().status
            conn.close()
            return status

        for junk in (b"[]", b"null", b"42", b"{not json", b'{"update_id": "x", "message": 7}'):
            assert await asyncio.to_thread(post, junk) == 400, junk
        assert await asyncio.to_thread(post, b"", "", "GET") == 403
        assert await asyncio.to_thread(post, b"{}", "wrong") == 403
        status = await asyncio.to_thread(post, b"", "s3cret", "GET")
        assert status == 405
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    assert TOKEN.split(":")[1] not in caplog.text and "s3cret" not in caplog.text
    webhook = [r for r in caplog.records if r.name == "bot.webhook"]
    assert [r for r in webhook if r.levelno >= logging.ERROR] == []
    assert sum("malformed update refused" in r.getMessage() for r in webhook) == 5
    assert sum("refused" in r.getMessage() and "in the last minute" in r.getMessage() for r in webhook) == 1


async def test_a_reply_delivered_but_whose_answer_was_lost_gets_no_apology(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    stub.inject("sendMessage", Fault(drop=True))
    chat = Chat(stub, stub.user(1203, "en"))
    delivered = await chat.send("pronouns")  # it reached Telegram; the bot never heard back
    assert "pronoun" in delivered.text.lower()
    await stub.settle(1.0)
    assert [c.text for c in stub.calls_to("sendMessage") if c.chat_id == 1203] == [delivered.text]
    assert "no apology sent" in running_bot.log.getvalue()
    assert TOKEN.split(":")[1] not in running_bot.log.getvalue()
    stub.inject("sendMessage", Fault(status=500))  # a failure Telegram reported: the user is told
    stub.message("pronouns", user=chat.user)
    sorry = await stub.next_call("sendMessage", after=stub.count("sendMessage"), chat_id=1203)
    assert sorry.text == core.t("en", "error")


def test_start_up_waits_for_telegram_with_backoff_and_refuses_a_rejected_token(
    stub: BotApiStub, caplog: pytest.LogCaptureFixture
) -> None:
    stub.inject("getMe", Fault(status=502), Fault(drop=True), Fault(status=500))
    caplog.set_level(logging.WARNING, logger="bot.app")
    wait_for_telegram(Settings(token=TOKEN, base_url=stub.url), first_delay=0.01)
    attempts = [r.getMessage() for r in caplog.records if "not reachable at start-up" in r.getMessage()]
    assert len(attempts) == 3 and "attempt 3" in attempts[-1]
    assert TOKEN not in caplog.text
    with pytest.raises(ConfigError, match=r"^Telegram rejected the token \(check GUIDEBOT_TELEGRAM_TOKEN\)$"):
        wait_for_telegram(Settings(token="999:WRONG", base_url=stub.url), first_delay=0.01)


def test_the_real_bot_starts_and_answers_when_its_database_path_is_unusable(
    stub: BotApiStub, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file where the database folder should be")
    stub.inject("getMe", Fault(status=502))  # and Telegram hiccups at start-up
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDEBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        GUIDEBOT_TELEGRAM_TOKEN=TOKEN,
        GUIDEBOT_TELEGRAM_BASE_URL=stub.url,
        GUIDEBOT_DB=str(blocker / "guidebot.sqlite3"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stub.message("comment demander les pronoms", user=stub.user(1301, "fr"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not [
            c for c in stub.calls_to("sendMessage") if c.chat_id == 1301
        ]:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        replies = [c.text for c in stub.calls_to("sendMessage") if c.chat_id == 1301]
        assert replies and "pronom" in replies[0].lower()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    logs = out + err
    assert proc.returncode == 0, logs[-2000:]
    assert "Traceback" not in logs and TOKEN not in logs and TOKEN.split(":")[1] not in logs
    assert logs.count("storage: unavailable") == 1 and "not reachable at start-up" in logs


def test_a_second_bot_on_the_same_database_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "guidebot.sqlite3"
    with single_instance(db.with_suffix(".pid")):
        result = run_bot(["run"], tmp_path, GUIDEBOT_TELEGRAM_TOKEN=TOKEN, GUIDEBOT_DB=str(db))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: another guidebot is already running on this database (pid {os.getpid()}, {db.with_suffix('.pid')})"
    )
    with single_instance(db.with_suffix(".pid")):  # released: the next start is fine
        assert db.with_suffix(".pid").read_text() == str(os.getpid())


async def test_polling_rides_out_getupdates_faults_and_still_answers(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    stub.inject(
        "getUpdates",
        Fault(status=502),
        Fault(status=429, retry_after=1),
        Fault(bad_json=True),
        Fault(drop=True),
        Fault(status=500),
    )
    await until(lambda: not stub.faults["getUpdates"], timeout=30)  # every fault was served
    chat = Chat(stub, stub.user(1204, "nl"))
    reply = await chat.send("hoe vraag ik naar voornaamwoorden")
    assert "voornaamwoord" in reply.text.lower()
    assert TOKEN.split(":")[1] not in running_bot.log.getvalue()


async def test_a_connection_lost_while_running_pauses_tips_then_recovers(
    stub: BotApiStub, core: Core, tmp_path: Path
) -> None:
    async with bot_on(stub, core, tmp_path / "guidebot.sqlite3") as (app, log):
        guide, chat = app.bot_data["guide"], Chat(stub, stub.user(1205, "pt"))
        assert guide.store.available
        await guide.store.storage.db.close()  # the connection breaks under the bot
        paused = await chat.send("/daily")
        assert paused.text == core.t("pt", "store.unavailable")
        assert "pronome" in (await chat.send("como perguntar os pronomes")).text.lower()
        await until(lambda: guide.store.available)
        offer = await chat.send("/daily")
        await chat.press(offer.button("08:00")["callback_data"])
        assert log.getvalue().count("storage: unavailable") == 1
    with sqlite3.connect(tmp_path / "guidebot.sqlite3") as db:
        assert db.execute("SELECT chat_id, hour FROM subscriptions").fetchall() == [(1205, 8)]
