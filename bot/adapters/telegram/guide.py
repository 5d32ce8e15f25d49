"""The running bot's state and its one turn: an Input to the core, effects applied, reply delivered.

Nothing here stores or logs who wrote what. In memory only: a language chosen with /language
(forgotten on restart or /forget), the last topic a chat read (30 minutes, for a follow-up
question) and the flood counters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from telegram import CallbackQuery, Update

from bot.adapters.telegram.context import GuideContext
from bot.adapters.telegram.deliver import deliver
from bot.adapters.telegram.flood import FloodGuard
from bot.core.core import Core
from bot.core.daily import brussels_now
from bot.core.replies import Effect, Forget, Input, RememberLanguage, Reply, Subscribe, Unsubscribe
from bot.lang import DEFAULT_LANG, Lang, as_lang
from bot.problems import KnowledgeError
from bot.storage import StorageUnavailable
from bot.storage_guard import StorageGuard

log = logging.getLogger("bot.telegram")
V = TypeVar("V")
MAX_REMEMBERED = 10_000  # chats whose /language choice (or last topic) is kept in memory
FORWARD_KEY = "btn.forward"  # the label of the button that sends an answer as a forwardable message
RECENT_SECONDS = 30 * 60  # how long the last topic read helps with a follow-up question


def _remember(table: OrderedDict[int, V], chat_id: int, value: V) -> None:
    """Keeps value for the chat in memory, forgetting the least recent chat past MAX_REMEMBERED."""
    table[chat_id] = value
    table.move_to_end(chat_id)
    if len(table) > MAX_REMEMBERED:
        table.popitem(last=False)


class GuideBot:
    def __init__(
        self,
        core: Core,
        store: StorageGuard,
        default_lang: Lang = DEFAULT_LANG,
        flood: FloodGuard | None = None,
        cache: Path | None = None,
    ) -> None:
        self.core = core
        self.cache = cache  # the vectors and weights folder a reload reuses
        self.store = store  # the database, or why it is unavailable: questions never need it
        self.default_lang = default_lang
        self.flood = flood or FloodGuard()
        self.chosen: OrderedDict[int, Lang] = OrderedDict()
        self.recent: OrderedDict[int, tuple[str, float]] = OrderedDict()  # chat -> (topic, when)
        self._reload_task: asyncio.Task[bool] | None = None

    def lang_for(self, update: Update) -> Lang:
        chat = update.effective_chat
        if chat is not None and chat.id in self.chosen:
            return self.chosen[chat.id]
        user = update.effective_user
        return as_lang((user.language_code or "")[:2].lower() if user else "") or self.default_lang

    async def turn(
        self, update: Update, context: GuideContext, event: Input, query: CallbackQuery | None = None
    ) -> Reply | None:
        """Asks the core, applies its effects for this chat, delivers the reply."""
        chat = update.effective_chat
        if chat is None:
            return None
        reply: Reply | None = None
        if Core.wants_subscription(event):
            try:
                async with self.store.use() as store:
                    subscription = await store.subscription(chat.id)
                event = replace(event, subscribed_hour=subscription.hour if subscription else None)
            except StorageUnavailable:
                reply = self.core.store_unavailable(event.lang)
        if reply is None:
            if (
                event.text
                and (seen := self.recent.get(chat.id))
                and time.monotonic() - seen[1] < RECENT_SECONDS
            ):
                event = replace(event, last_topic=seen[0])
            reply = await self.apply(chat.id, self.core.respond(event))
        await deliver(context.bot, chat.id, reply, query, self.core.t(reply.lang, FORWARD_KEY))
        if reply.topic_id and reply.kind in ("answer", "referrals"):
            _remember(self.recent, chat.id, (reply.topic_id, time.monotonic()))
        return reply

    async def apply(self, chat_id: int, reply: Reply) -> Reply:
        """Applies the reply's effects; if the database is needed and down, says so instead."""
        try:
            for effect in reply.effects:
                await self._apply(chat_id, effect)
        except StorageUnavailable:
            forgetting = any(isinstance(e, Forget) for e in reply.effects)
            return self.core.store_unavailable(reply.lang, forgetting=forgetting)
        return reply

    async def _apply(self, chat_id: int, effect: Effect) -> None:
        match effect:
            case Subscribe(hour, lang):
                async with self.store.use() as store:
                    await store.subscribe(chat_id, lang, hour)
                    now = brussels_now()
                    if hour <= now.hour:  # chosen after its hour: the first tip comes tomorrow
                        await store.mark(now.date(), chat_id, "skipped")
                log.info("daily: subscribed hour=%d lang=%s", hour, lang)
            case Unsubscribe():
                async with self.store.use() as store:
                    erased = await store.forget(chat_id)
                log.info("daily: unsubscribed" if erased else "daily: stop without subscription")
            case RememberLanguage(lang):
                _remember(self.chosen, chat_id, lang)
                if self.store.available:  # a subscriber's tips follow the new language
                    async with self.store.use() as store:
                        await store.set_language(chat_id, lang)
            case Forget():
                self.chosen.pop(chat_id, None)
                self.recent.pop(chat_id, None)  # memory first: it is erased even if the database is down
                self.flood.forget(chat_id)
                async with self.store.use() as store:
                    await store.forget(chat_id)
                log.info("forget: chat erased")

    def schedule_reload(self, knowledge: Path, locales: Path) -> None:
        """Signal handlers cannot await: start the reload as a task and keep it referenced."""
        self._reload_task = asyncio.get_running_loop().create_task(self.reload(knowledge, locales))

    async def reload(self, knowledge: Path, locales: Path) -> bool:
        """Swap in edited knowledge and locales; an invalid edit is logged and the last good one kept."""
        loop = asyncio.get_running_loop()
        try:
            core = await loop.run_in_executor(
                None, Core.load, knowledge, locales, self.default_lang, self.core.matcher.tuning, self.cache
            )
        except KnowledgeError as exc:
            for problem in exc.problems:
                log.error("reload rejected: %s", problem)
            log.error("reload rejected: %d problems; still serving the previous knowledge", len(exc.problems))
            return False
        self.core = core
        log.info("reloaded: %d topics, %d tips", len(core.kb.topics), len(core.kb.tips))
        return True
