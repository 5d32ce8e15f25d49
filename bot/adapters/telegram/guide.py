"""The running bot's state and its one turn: an Input to the core, effects applied, reply delivered.

Nothing here stores or logs who wrote what. In memory only: a language chosen with /language
(forgotten on restart or /forget), the last topic a chat read and the last question it typed (30
minutes: a follow-up question, "send this question anonymously"), a practice run in progress (30
minutes), which messages it voted on,
and the flood counters. The anonymous counts go to the database without the chat.
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
from bot.core.actions import PracticeAction, Vote, WhyNot
from bot.core.core import Core
from bot.core.daily import brussels_now
from bot.core.replies import (
    Count,
    Effect,
    EndRun,
    Forget,
    Input,
    KeepRun,
    RememberLanguage,
    Reply,
    Run,
    StoreQuestion,
    Subscribe,
    Unsubscribe,
)
from bot.lang import DEFAULT_LANG, Lang, as_lang
from bot.problems import KnowledgeError
from bot.stats import record
from bot.storage import StorageUnavailable
from bot.storage_guard import StorageGuard

log = logging.getLogger("bot.telegram")
V = TypeVar("V")
MAX_REMEMBERED = 10_000  # chats whose /language choice (or last topic) is kept in memory
FORWARD_KEY = "btn.forward"  # the label of the button that sends an answer as a forwardable message
VOTES_REMEMBERED = 50  # per chat: the messages whose vote was counted, newest last
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
        keep_counts_months: int = 12,
    ) -> None:
        self.core = core
        self.keep_counts_months = keep_counts_months  # retention of the anonymous counts
        self.cache = cache  # the vectors and weights folder a reload reuses
        self.store = store  # the database, or why it is unavailable: questions never need it
        self.default_lang = default_lang
        self.flood = flood or FloodGuard()
        self.chosen: OrderedDict[int, Lang] = OrderedDict()
        self.recent: OrderedDict[int, tuple[str, float]] = OrderedDict()  # chat -> (topic, when)
        self.asked: OrderedDict[int, tuple[str, float]] = OrderedDict()  # chat -> (last question, when)
        self.runs: OrderedDict[int, tuple[Run, float]] = OrderedDict()  # chat -> (practice run, when)
        self.voted: OrderedDict[int, tuple[tuple[int, str], ...]] = OrderedDict()  # chat -> (message, kind)
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
            now = time.monotonic()
            if event.text and (seen := self.recent.get(chat.id)) and now - seen[1] < RECENT_SECONDS:
                event = replace(event, last_topic=seen[0])
            if (
                event.action is not None
                and (asked := self.asked.get(chat.id))
                and now - asked[1] < RECENT_SECONDS
            ):
                event = replace(event, asked=asked[0])
            if (
                isinstance(event.action, PracticeAction)
                and (run := self.runs.get(chat.id))
                and now - run[1] < RECENT_SECONDS
            ):
                event = replace(event, run=run[0])
            reply = self.core.respond(event)
            if self._voted_before(
                chat.id, event, query
            ):  # one vote per message: a second press counts nothing
                reply = reply.but(effects=tuple(e for e in reply.effects if not isinstance(e, Count)))
            reply = await self.apply(chat.id, reply)
            if event.text and event.command is None:
                _remember(self.asked, chat.id, (event.text, now))
        await deliver(context.bot, chat.id, reply, query, self.core.t(reply.lang, FORWARD_KEY))
        if reply.topic_id and reply.kind in ("answer", "referrals"):
            _remember(self.recent, chat.id, (reply.topic_id, time.monotonic()))
        return reply

    def _voted_before(self, chat_id: int, event: Input, query: CallbackQuery | None) -> bool:
        if not isinstance(event.action, Vote | WhyNot) or query is None or query.message is None:
            return False
        key = (query.message.message_id, type(event.action).__name__)
        seen = self.voted.get(chat_id, ())
        if key in seen:
            return True
        _remember(self.voted, chat_id, (*seen[-(VOTES_REMEMBERED - 1) :], key))  # the most recent ones
        return False

    async def apply(self, chat_id: int, reply: Reply) -> Reply:
        """Applies the reply's effects; if the database is needed and down, says so instead.
        Counts are best effort: a count lost to a database problem never costs a reply."""
        try:
            for effect in reply.effects:
                if isinstance(effect, Count):
                    await self.count(effect, reply.lang)
                else:
                    await self._apply(chat_id, effect, reply.lang)
        except StorageUnavailable:
            forgetting = any(isinstance(e, Forget) for e in reply.effects)
            sending = any(isinstance(e, StoreQuestion) for e in reply.effects)
            return self.core.store_unavailable(reply.lang, forgetting=forgetting, sending=sending)
        return reply

    async def count(self, effect: Count, lang: Lang) -> None:
        try:
            async with self.store.use() as store:
                await record(store, effect, lang, brussels_now().date())
        except StorageUnavailable:
            log.debug("count not kept: storage unavailable")

    async def _apply(self, chat_id: int, effect: Effect, lang: Lang) -> None:
        match effect:
            case KeepRun(run):
                _remember(self.runs, chat_id, (run, time.monotonic()))
            case EndRun():
                self.runs.pop(chat_id, None)
            case StoreQuestion():
                async with self.store.use() as store:
                    await record(store, effect, lang, brussels_now().date())
                log.info("inbox: a question was sent")
            case Subscribe(hour, lang, content):
                async with self.store.use() as store:
                    await store.subscribe(chat_id, lang, hour, content)
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
                self.asked.pop(chat_id, None)
                self.runs.pop(chat_id, None)
                self.voted.pop(chat_id, None)
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
