"""Shared fixtures: the real knowledge, a Bot API stub on 127.0.0.1, and a running bot."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.app import build_application
from bot.config import Settings
from bot.core.core import Core
from bot.logs import setup_logging
from bot.storage import Storage
from tests.botapi_stub import BotApiStub, Call

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
LOCALES = ROOT / "locales"
SHARED = ROOT.parent / "shared"
TOKEN = "123456:TEST-token-qcanaryTOKEN"


def run_bot(
    args: list[str], cwd: Path, timeout: float = 60, **settings: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in a fresh process with only the given GUIDEBOT_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDEBOT_")}
    env.update(settings, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stub is on loopback; a proxy variable must never route test traffic elsewhere."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def core() -> Core:
    return Core.load(KNOWLEDGE, LOCALES)


@pytest.fixture
def stub() -> Iterator[BotApiStub]:
    server = BotApiStub(TOKEN)
    server.start()
    yield server
    server.stop()


@dataclass
class RunningBot:
    stub: BotApiStub
    app: Any
    storage: Storage
    db_path: Path
    log: io.StringIO

    def guide(self) -> Any:
        return self.app.bot_data["guide"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def polling_bot(
    stub: BotApiStub, core: Core, db_path: Path, storage_retry: float | None = None
) -> AsyncIterator[tuple[Any, Storage, io.StringIO]]:
    """The real Application polling the stub, on db_path, logging at DEBUG into a buffer."""
    log = io.StringIO()
    handler = setup_logging("DEBUG", secrets=(TOKEN,), stream=log)
    storage = Storage(db_path)
    app = build_application(
        Settings(token=TOKEN, base_url=stub.url, db_path=db_path),
        core,
        storage,
        rate_limit=False,
        daily_job=False,
    )
    if storage_retry is not None:
        app.bot_data["guide"].store.retry = storage_retry
    try:
        async with app:
            await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield app, storage, log
            finally:
                await app.updater.stop()
                await app.stop()
                await app.post_shutdown(app)
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.fixture
async def running_bot(stub: BotApiStub, core: Core, tmp_path: Path) -> AsyncIterator[RunningBot]:
    db_path = tmp_path / "guidebot.sqlite3"
    async with polling_bot(stub, core, db_path) as (app, storage, log):
        yield RunningBot(stub, app, storage, db_path, log)


class Chat:
    """One person (or group) talking to the bot through the stub."""

    def __init__(
        self, stub: BotApiStub, user: dict[str, Any], chat_id: int | None = None, chat_type: str = "private"
    ) -> None:
        self.stub, self.user = stub, user
        self.chat_id = chat_id if chat_id is not None else user["id"]
        self.chat_type = chat_type

    async def send(self, text: str | None = None, **extra: Any) -> Call:
        before = self.stub.count("sendMessage")
        self.stub.message(text, user=self.user, chat_id=self.chat_id, chat_type=self.chat_type, **extra)
        return await self.stub.next_call("sendMessage", after=before, chat_id=self.chat_id)

    async def press(self, data: str, method: str = "editMessageText", message_id: int = 555) -> Call:
        before = self.stub.count(method)
        self.stub.press(data, user=self.user, chat_id=self.chat_id, message_id=message_id)
        return await self.stub.next_call(method, after=before)


@pytest.fixture
def chat(stub: BotApiStub) -> Chat:
    return Chat(stub, stub.user(1001, "en"))
