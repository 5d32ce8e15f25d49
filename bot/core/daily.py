"""The tip of the day, the daily-tip subscription and the language choice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.actions import DAILY_CONTENTS, DailyAt, DailyContent, OpenTopic, SetLanguage, StopDaily
from bot.core.markup import escape
from bot.core.practice import PracticeScreens
from bot.core.replies import Button, Forget, Reply, Subscribe, Unsubscribe
from bot.knowledge.models import Tip
from bot.lang import LANG_NAMES, LANGS, Lang

BRUSSELS = ZoneInfo("Europe/Brussels")
DAILY_HOURS = (7, 8, 9, 10, 12, 13, 14, 16, 17, 18, 19, 20)  # the hours /daily offers


def brussels_now() -> datetime:
    return datetime.now(BRUSSELS)


def _grid(buttons: list[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


class Daily(PracticeScreens):
    def tip_of(self, day: date) -> Tip:
        """Same tip for everyone on a given day; the cycle covers every tip before repeating."""
        return self.kb.tips[day.toordinal() % len(self.kb.tips)]

    def tip_reply(self, lang: Lang, day: date | None = None) -> Reply:
        tip = self.tip_of(day or brussels_now().date())
        text = self.t(lang, "tip.title") + "\n" + escape(tip.text(lang))
        rows: tuple[tuple[Button, ...], ...] = ()
        if tip.topic in self.kb.topics:
            label = self.t(lang, "btn.more") + " " + self.title(tip.topic, lang)
            rows = ((Button(label, OpenTopic(tip.topic)),),)
        return Reply(text, lang, "tip", rows, tip.topic)

    def daily_offer(self, lang: Lang, subscribed_hour: int | None) -> Reply:
        buttons = [Button(f"{h:02d}:00", DailyAt(h)) for h in DAILY_HOURS]
        rows = _grid(buttons, 4)
        text = self.t(lang, "daily.choose")
        if subscribed_hour is not None:
            text = self.t(lang, "daily.current", hour=f"{subscribed_hour:02d}") + "\n" + text
            rows += ((Button(self.t(lang, "btn.stop_daily"), StopDaily()),),)
        return Reply(text, lang, "info", rows)

    def subscribed(self, hour: int, lang: Lang, content: DailyContent = "tips") -> Reply:
        other = tuple(
            Button(self.t(lang, f"daily.{c}"), DailyAt(hour, c)) for c in DAILY_CONTENTS if c != content
        )
        rows = (other, (Button(self.t(lang, "btn.stop_daily"), StopDaily()),))
        text = (
            self.t(lang, "daily.on", hour=f"{hour:02d}")
            + "\n"
            + self.t(lang, "daily.receive", what=self.t(lang, f"daily.{content}"))
        )
        return Reply(text, lang, "info", rows, effects=(Subscribe(hour, lang, content),))

    def daily_reply(self, lang: Lang, content: DailyContent, day: date) -> Reply:
        """What a subscriber gets in the morning: the tip, the reflection, or both in one message."""
        if content == "tips" or not self.kb.practice.reflections:
            return self.tip_reply(lang, day)
        reflection = self.reflection(lang, day)
        if content == "reflections":
            return reflection
        tip = self.tip_reply(lang, day)
        return tip.but(html=tip.html + "\n\n" + reflection.html, rows=tip.rows + reflection.rows)

    def unsubscribed(self, lang: Lang, subscribed_hour: int | None) -> Reply:
        text = self.t(lang, "daily.off" if subscribed_hour is not None else "daily.none")
        return Reply(text, lang, "info", effects=(Unsubscribe(),))

    def language_offer(self, lang: Lang) -> Reply:
        buttons = [Button(LANG_NAMES[code], SetLanguage(code)) for code in LANGS]
        return Reply(self.t(lang, "language.choose"), lang, "info", _grid(buttons, 2))

    def store_unavailable(self, lang: Lang, forgetting: bool = False, sending: bool = False) -> Reply:
        """The database is down: only /daily, /stop, /forget and sending a question need it, and say so."""
        key = "store.forget" if forgetting else "store.question" if sending else "store.unavailable"
        return Reply(self.t(lang, key), lang, "info")

    def forgotten(self, lang: Lang) -> Reply:
        return Reply(self.t(lang, "forget.done"), lang, "info", effects=(Forget(),))
