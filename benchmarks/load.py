"""Capacity: simulated workers through the Bot API stub, beside a minimal echo bot on the same stack.

    .venv/bin/python benchmarks/load.py [--users 100,1000] [--subscribers 2000]   # --users "": broadcast only

Each simulated worker sends two questions and presses one menu button; the reply latency is from
the moment the update is queued on the stub to the moment the bot's sendMessage / edit reaches
it. Run with the production rate limiter (PTB's AIORateLimiter: ~30 messages/s per bot, 1/s per
chat) and without it. The echo bot (PTB, one MessageHandler, same stub and harness) is the floor
of what this stack costs. Then a broadcast to N subscribers while 100 workers keep asking. Stub,
bot and load share one process on a shared 2-core machine: figures are for comparison, not SLAs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, ApplicationBuilder, MessageHandler, filters  # noqa: E402

from bot.adapters.telegram.app import build_application  # noqa: E402
from bot.adapters.telegram.tips import Broadcaster  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.core import Core  # noqa: E402
from bot.core.daily import BRUSSELS, brussels_now  # noqa: E402
from bot.storage import Storage  # noqa: E402
from tests.botapi_stub import BotApiStub  # noqa: E402

TOKEN = "123456:LOAD-test"
QUESTIONS = (
    "how do I ask someone's pronouns",
    "comment réagir à une révélation de violence",
    "tolk nodig voor een intakegesprek",
    "a cliente tem medo da polícia",
)
REPLIES = ("sendMessage", "editMessageText")


def echo_app(stub: BotApiStub, rate_limit: bool) -> Any:
    async def echo(update: Update, _: object) -> None:
        if update.effective_message is not None and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    builder = ApplicationBuilder().token(TOKEN).base_url(stub.url).concurrent_updates(64)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))  # type: ignore[arg-type]
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def run_load(app: Any, stub: BotApiStub, users: int, echo: bool) -> dict[str, float]:
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            sent: dict[int, list[float]] = {}
            start = time.monotonic()
            for round_ in range(3):
                for u in range(users):
                    chat = 10_000 + u
                    sent.setdefault(chat, []).append(time.monotonic())
                    if round_ < 2 or echo:
                        text = QUESTIONS[(u + round_) % len(QUESTIONS)]
                        stub.message(text, user=stub.user(chat, "en"))
                    else:
                        stub.press("en|m", user=stub.user(chat, "en"))
                await asyncio.sleep(0)
            expected = users * 3
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                if sum(stub.count(m) for m in REPLIES) >= expected:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - start
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_shutdown:
                await app.post_shutdown(app)
    replies: dict[int, list[float]] = {}
    for method in REPLIES:
        for call in stub.calls_to(method):
            if call.chat_id is not None:
                replies.setdefault(call.chat_id, []).append(call.at)
    latencies = [
        (r - s) * 1000
        for chat, times in sent.items()
        for s, r in zip(times, sorted(replies.get(chat, [])), strict=False)
    ]
    latencies.sort()
    done = len(latencies)
    return {
        "updates/s": done / elapsed,
        "p50 ms": statistics.median(latencies) if latencies else float("nan"),
        "p99 ms": latencies[int(0.99 * (done - 1))] if latencies else float("nan"),
        "answered": done / (users * 3),
    }


async def broadcast_under_load(core: Core, subscribers: int, db: Path) -> dict[str, float]:
    stub = BotApiStub(TOKEN)
    stub.start()
    try:
        settings = Settings(token=TOKEN, base_url=stub.url, db_path=db)
        storage = Storage(db)
        app = build_application(settings, core, storage, rate_limit=True, register=False, daily_job=False)
        async with app:
            assert app.post_init is not None and app.post_shutdown is not None and app.updater is not None
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            for chat in range(1, subscribers + 1):
                await storage.subscribe(chat, "en", 9)
            guide = app.bot_data["guide"]
            when = brussels_now().astimezone(BRUSSELS).replace(hour=9)
            task = asyncio.create_task(Broadcaster(guide).run(app.bot, when))
            t0, asked, lat = time.monotonic(), 0, []
            while not task.done():
                chat = 900_000 + asked % 100
                before = len([c for c in stub.calls_to("sendMessage") if c.chat_id == chat])
                pushed = time.monotonic()
                stub.message(QUESTIONS[asked % 4], user=stub.user(chat, "en"))
                asked += 1
                while len([c for c in stub.calls_to("sendMessage") if c.chat_id == chat]) == before:
                    await asyncio.sleep(0.005)
                lat.append((time.monotonic() - pushed) * 1000)
                await asyncio.sleep(0.6)  # one question every 0.6 s: a busy shift for 100 workers
            stats = await task
            duration = time.monotonic() - t0
            await app.updater.stop()
            await app.stop()
            await app.post_shutdown(app)
    finally:
        stub.stop()
    lat.sort()
    return {
        "subscribers": subscribers,
        "sent": stats["sent"],
        "duration s": duration,
        "tips/s": stats["sent"] / duration,
        "interactive p50 ms": statistics.median(lat),
        "interactive p99 ms": lat[int(0.99 * (len(lat) - 1))],
    }


def main() -> int:
    logging.basicConfig(level=logging.CRITICAL)  # a failed reply shows in "answered", not as a traceback
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="100,1000")
    parser.add_argument("--subscribers", type=int, default=2000)
    args = parser.parse_args()
    core = Core.load(ROOT / "knowledge", ROOT / "locales")
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"{'bot':10}{'limiter':>9}{'users':>7}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>10}{'answered':>10}"
        )
        for users in (int(u) for u in args.users.split(",") if u):  # --users "": the broadcast only
            for limiter in (False, True):
                for name in ("echo", "guidebot"):
                    stub = BotApiStub(TOKEN)
                    stub.start()
                    try:
                        if name == "echo":
                            app = echo_app(stub, limiter)
                        else:
                            settings = Settings(
                                token=TOKEN, base_url=stub.url, db_path=Path(tmp) / f"{users}{limiter}.db"
                            )
                            app = build_application(
                                settings,
                                core,
                                Storage(settings.db_path),
                                rate_limit=limiter,
                                register=False,
                                daily_job=False,
                            )
                        r = asyncio.run(run_load(app, stub, users, name == "echo"))
                    finally:
                        stub.stop()
                    print(
                        f"{name:10}{'on' if limiter else 'off':>9}{users:>7}{r['updates/s']:>11.1f}"
                        f"{r['p50 ms']:>9.1f}{r['p99 ms']:>10.1f}{r['answered']:>10.1%}",
                        flush=True,
                    )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the whole run (stub, bots, load): {rss:.0f} MB")
        b = asyncio.run(broadcast_under_load(core, args.subscribers, Path(tmp) / "broadcast.db"))
        print(
            "broadcast with 100 workers asking:",
            ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in b.items()),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
