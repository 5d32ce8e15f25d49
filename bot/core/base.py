"""What every screen builder stands on: the knowledge and the UI strings."""

from __future__ import annotations

from bot.i18n import Strings
from bot.knowledge.loader import KnowledgeBase
from bot.lang import Lang

TELEGRAM_LIMIT = 4096  # the longest message Telegram delivers, and so the longest we read
MAX_REPLY_CHARS = TELEGRAM_LIMIT - 200  # room for the language note and markup


class Base:
    kb: KnowledgeBase
    strings: Strings

    def t(self, lang: Lang, key: str, **values: object) -> str:
        return self.strings.t(lang, key, **values)

    def title(self, topic_id: str, lang: Lang) -> str:
        return self.kb.topics[topic_id].text(lang).title
