"""Per-chat flood guard: drops a flood from one chat without slowing the others."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.adapters.telegram.context import App, GuideContext

log = logging.getLogger("bot.telegram")
FLOOD_KEY = "flood"  # the one warning a flooding chat gets


@dataclass
class Bucket:
    tokens: float
    stamp: float
    warned: bool = False


@dataclass
class FloodGuard:
    """Per-chat token bucket: a burst of `burst` messages, then `rate` per second."""

    burst: float = 10.0  # quick menu taps stay well inside this
    rate: float = 2.0
    buckets: OrderedDict[int, Bucket] = field(default_factory=OrderedDict)
    max_chats: int = 10_000

    def allow(self, chat_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): warn once per flood so the sender knows why it went quiet."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(chat_id)
        if bucket is None:
            bucket = self.buckets[chat_id] = Bucket(self.burst, now)
            if len(self.buckets) > self.max_chats:
                self.buckets.popitem(last=False)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn

    def forget(self, chat_id: int) -> None:
        self.buckets.pop(chat_id, None)


async def guard(update: Update, context: GuideContext) -> None:
    """Runs before every handler (group -1)."""
    chat = update.effective_chat
    if chat is None:
        return
    guide = context.guide
    allowed, warn = guide.flood.allow(chat.id)
    if allowed:
        return
    if warn and update.message is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat.id, guide.core.t(guide.lang_for(update), FLOOD_KEY))
    log.info("flood: update dropped")
    raise ApplicationHandlerStop


def register(app: App) -> None:
    app.add_handler(TypeHandler(Update, guard), group=-1)
