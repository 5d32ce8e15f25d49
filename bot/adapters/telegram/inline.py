"""Inline mode: '@bot pronouns' in any chat lists topics and referral cards to post.

When the deployer turns on inline feedback (BotFather /setinlinefeedback), Telegram reports the
result a worker posted; it is counted as a share of that topic or card, like the Forward button."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import ChosenInlineResultHandler, InlineQueryHandler

from bot.adapters.telegram.codec import deep_link
from bot.adapters.telegram.context import App, GuideContext
from bot.core.actions import OpenTopic
from bot.core.markup import plain_text
from bot.core.replies import Count
from bot.lang import as_lang

log = logging.getLogger("bot.telegram")
MAX_TOPICS, MAX_CARDS, MAX_RESULTS = 5, 5, 20


async def on_inline(update: Update, context: GuideContext) -> None:
    query = update.inline_query
    if query is None:
        return
    guide = context.guide
    core = guide.core
    lang, topic_ids, referrals = core.search(query.query, guide.lang_for(update))
    results: list[InlineQueryResultArticle] = []
    for tid in topic_ids[:MAX_TOPICS]:
        text = core.kb.topics[tid].text(lang)
        link = None
        if context.bot.username:
            url = f"https://t.me/{context.bot.username}?start={deep_link(OpenTopic(tid))}"
            link = InlineKeyboardMarkup([[InlineKeyboardButton(core.t(lang, "btn.more"), url=url)]])
        results.append(
            InlineQueryResultArticle(
                id=f"t:{tid}:{lang}",
                title=text.title,
                description=plain_text(text.answer).strip().splitlines()[0][:120],
                input_message_content=InputTextMessageContent(core.share_reply(tid, lang).html),
                reply_markup=link,
            )
        )
    for ref in referrals[:MAX_CARDS]:
        results.append(
            InlineQueryResultArticle(
                id=f"r:{ref.id}:{lang}",
                title=f"📇 {ref.display_name(lang)}",
                description=ref.offers.text(lang)[:120],
                input_message_content=InputTextMessageContent(core.card_html(ref, lang)),
            )
        )
    await query.answer(results[:MAX_RESULTS], cache_time=300, is_personal=False)
    log.info("inline results=%d lang=%s", len(results), lang)


async def on_chosen(update: Update, context: GuideContext) -> None:
    """A posted inline result, as the anonymous count "shared" (topic id, or "card:<id>")."""
    chosen = update.chosen_inline_result
    kind, _, rest = (chosen.result_id if chosen else "").partition(":")
    item, _, code = rest.rpartition(":")
    guide, lang = context.guide, as_lang(code)
    known = item in guide.core.kb.topics if kind == "t" else item in guide.core.kb.referrals
    if kind not in ("t", "r") or not known or lang is None:
        return  # not one of our result ids: nothing to count
    await guide.count(Count("shared", item if kind == "t" else f"card:{item}"), lang)


def register(app: App) -> None:
    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(ChosenInlineResultHandler(on_chosen))
