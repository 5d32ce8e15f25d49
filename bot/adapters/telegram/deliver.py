"""A core Reply onto Telegram: the inline keyboard, and one way to send or edit it."""

from __future__ import annotations

import logging

import httpx
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.adapters.telegram.codec import deep_link, encode
from bot.core.actions import OpenTopic, Share
from bot.core.markup import escape
from bot.core.replies import Reply

log = logging.getLogger("bot.telegram")
_NEVER_LEFT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def outcome_unknown(exc: TelegramError) -> bool:
    """The request may have reached Telegram (it left, the answer was lost or late): the message
    may have been delivered, so it is neither repeated nor followed by an apology."""
    if isinstance(exc, TimedOut | NetworkError) and not isinstance(exc, BadRequest):
        if isinstance(exc.__cause__, _NEVER_LEFT):
            return False
        if isinstance(exc, TimedOut):
            return True
        return isinstance(exc.__cause__, httpx.TransportError)  # e.g. the connection dropped mid-answer
    return False


def keyboard(reply: Reply, forward_label: str = "📤") -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.rows:
        buttons = []
        for button in row:
            if isinstance(button.action, Share):
                # Opens the chat picker with "@bot <topic-id>": the inline result posts the answer
                # (needs inline mode); "forward" sends it here as a message to forward anywhere.
                buttons.append(InlineKeyboardButton(button.label, switch_inline_query=button.action.topic))
                buttons.append(
                    InlineKeyboardButton(forward_label, callback_data=encode(reply.lang, button.action))
                )
            else:
                buttons.append(
                    InlineKeyboardButton(button.label, callback_data=encode(reply.lang, button.action))
                )
        rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


async def deliver(
    bot: Bot, chat_id: int, reply: Reply, query: CallbackQuery | None = None, forward_label: str = "📤"
) -> None:
    """Sends the reply; a pressed button's message is edited in place instead (unless the reply is
    fresh: a new topic under the one read), or, too old to edit, gets a new message. Parse mode and link previews come from the Application's Defaults."""
    markup = keyboard(reply, forward_label)
    if reply.kind == "share" and reply.topic_id and bot.username:  # a link that opens this topic
        link = f"https://t.me/{bot.username}?start={deep_link(OpenTopic(reply.topic_id))}"
        reply = reply.but(html=f"{reply.html}\n{escape(link)}")
    if query is not None and query.message is not None and not reply.fresh:
        try:
            await query.edit_message_text(reply.html, reply_markup=markup)
            log.info("edit kind=%s lang=%s topic=%s", reply.kind, reply.lang, reply.topic_id or "-")
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
    await bot.send_message(chat_id, reply.html, reply_markup=markup)
    log.info("reply kind=%s lang=%s topic=%s", reply.kind, reply.lang, reply.topic_id or "-")
