"""The daily tip: each hour, today's tip to the chats that chose that hour."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.adapters.telegram.context import App, GuideContext
from bot.adapters.telegram.deliver import deliver
from bot.adapters.telegram.guide import GuideBot
from bot.core.daily import BRUSSELS, brussels_now

log = logging.getLogger("bot.telegram")
_GONE = ("chat not found", "deactivated")  # a BadRequest that means the chat no longer exists


async def broadcast(guide: GuideBot, bot: Bot, when: datetime) -> dict[str, int]:
    """Send today's tip to the chats that chose this hour; blocked or deleted chats are unsubscribed."""
    when = when.astimezone(BRUSSELS)
    stats = {"sent": 0, "removed": 0, "failed": 0}
    for sub in await guide.storage.due(when.hour):
        try:
            await deliver(bot, sub.chat_id, guide.core.tip_reply(sub.lang, when.date()))
            stats["sent"] += 1
        except Forbidden:
            await guide.storage.forget(sub.chat_id)
            stats["removed"] += 1
        except BadRequest as exc:
            if any(gone in str(exc).lower() for gone in _GONE):
                await guide.storage.forget(sub.chat_id)
                stats["removed"] += 1
            else:
                stats["failed"] += 1
        except TelegramError:
            stats["failed"] += 1
    log.info(
        "daily broadcast hour=%d sent=%d removed=%d failed=%d",
        when.hour,
        stats["sent"],
        stats["removed"],
        stats["failed"],
    )
    return stats


async def _hourly(context: GuideContext) -> None:
    await broadcast(context.guide, context.bot, brussels_now())


def register(app: App) -> None:
    """Runs at five seconds past every hour."""
    if app.job_queue is None:
        return
    now = brussels_now()
    first = (now.replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)) - now
    app.job_queue.run_repeating(_hourly, interval=3600, first=first, name="daily-tips")
