"""The handlers' context: `context.guide` instead of dictionary look-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

if TYPE_CHECKING:
    from bot.adapters.telegram.guide import GuideBot


class GuideContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def guide(self) -> GuideBot:
        guide: GuideBot = self.application.bot_data["guide"]
        return guide


App = Application[ExtBot[None], GuideContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
CONTEXT_TYPES = ContextTypes(context=GuideContext)
