"""A core Reply as Telegram text and inline keyboard; button data carries its language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversation import Action, Reply, Share, decode, encode
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import LANGS, Lang


def callback_data(lang: Lang, action: Action) -> str:
    return f"{lang}|{encode(action)}"


def parse_callback(data: object, kb: KnowledgeBase) -> tuple[Lang, Action] | None:
    """Refuses what the bot did not make: a forged or stale button yields None."""
    if not isinstance(data, str) or "|" not in data:
        return None
    lang, _, rest = data.partition("|")
    action = decode(rest, kb)
    if lang not in LANGS or action is None:
        return None
    return lang, action  # type: ignore[return-value,unused-ignore]


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.rows:
        buttons = []
        for button in row:
            if isinstance(button.action, Share):
                # Opens the chat picker with "@bot <topic-id>": the inline result posts the answer.
                buttons.append(InlineKeyboardButton(button.label, switch_inline_query=button.action.topic))
            else:
                buttons.append(
                    InlineKeyboardButton(button.label, callback_data=callback_data(reply.lang, button.action))
                )
        rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None
