"""Every screen the bot can show, and which button targets it really offers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from bot.core.actions import (
    DAILY_CONTENTS,
    REGIONS,
    Action,
    DailyAt,
    OpenAll,
    OpenMenu,
    OpenTopic,
    PracticeAction,
    ReportCard,
    SetLanguage,
    Share,
    ShowReferrals,
    StartChecklist,
    StartPractice,
    StopDaily,
    Vote,
)
from bot.core.daily import DAILY_HOURS, Daily
from bot.core.feedback import Feedback
from bot.core.replies import Input, KeepRun, RememberLanguage, Reply, ReplyKind, Run
from bot.i18n import Strings
from bot.knowledge.loader import KnowledgeBase
from bot.lang import LANGS, Lang


class Screens(Feedback, Daily):
    """The screens need only knowledge and strings (so `check` can walk them without a matcher)."""

    def __init__(self, kb: KnowledgeBase, strings: Strings) -> None:
        self.kb = kb
        self.strings = strings
        self._cards: dict[tuple[str, Lang], str] = {}

    def offers(self, action: Action) -> bool:
        """True for a target this knowledge can produce; forged or stale data is refused."""
        match action:
            case OpenTopic(topic, back):
                return topic in self.kb.topics and (back is None or self.offers(back))
            case OpenMenu(None, page):
                return page == 0
            case OpenMenu(service, page):
                return service in self.kb.services and 0 <= page < self.pages(service)
            case OpenAll(page):
                return 0 <= page < self.pages(None)
            case ShowReferrals(topic, page, region):
                return (
                    topic in self.kb.topics
                    and (region is None or region in REGIONS)
                    and 0 <= page < self.card_page_count(topic, region)
                )
            case Share(topic):
                return topic in self.kb.topics
            case SetLanguage(lang):
                return lang in LANGS
            case DailyAt(hour, content):
                return hour in DAILY_HOURS and content in DAILY_CONTENTS
            case StopDaily():
                return True
        if isinstance(action, PracticeAction):
            return self.practice_offers(action)
        return self.feedback_offers(action)

    def follow(self, action: Action, lang: Lang, subscribed_hour: int | None = None) -> Reply:
        match action:
            case OpenTopic(topic, None):  # a related topic, a "did you mean", a tip's "more"
                return self.topic_reply(topic, lang).but(fresh=True)
            case OpenTopic(topic, back):  # from a menu page, which it replaces (Back returns to it)
                return self.topic_reply(topic, lang, back)
            case OpenMenu(None, _):
                return self.main_menu(lang)
            case OpenMenu(service, page) if service is not None:
                return self.service_menu(service, lang, page)
            case OpenAll(page):
                return self.all_topics(lang, page)
            case ShowReferrals(topic, page, region):
                return self.referrals_reply(topic, lang, page, region)
            case Share(topic):
                return self.share_reply(topic, lang)
            case SetLanguage(chosen):
                menu = self.main_menu(chosen, self.t(chosen, "language.set"), kind="info")
                return menu.but(effects=(RememberLanguage(chosen),))
            case DailyAt(hour, content):
                return self.subscribed(hour, lang, content)
            case StopDaily():
                return self.unsubscribed(lang, subscribed_hour)
        return self.main_menu(lang)

    def info(self, lang: Lang, key: str, with_menu: bool = False, kind: ReplyKind = "info") -> Reply:
        if with_menu:
            return self.main_menu(lang, self.t(lang, key), kind=kind)
        return Reply(self.t(lang, key), lang, kind)

    def every_screen(self) -> Iterator[Reply]:
        """Each screen once per language, for `check` (button data that must fit Telegram)."""
        for lang in LANGS:
            yield self.main_menu(lang)
            yield self.daily_offer(lang, DAILY_HOURS[-1])
            yield self.language_offer(lang)
            yield self.subscribed(DAILY_HOURS[-1], lang)
            yield self.store_unavailable(lang)
            yield self.store_unavailable(lang, forgetting=True)
            yield from (self.tip_reply(lang, tip_day) for tip_day in self._tip_days())
            yield self.practice_menu(lang)
            yield from self._practice_screens(lang)
            for service in (None, *self.kb.services):
                for page in range(self.pages(service)):  # its buttons open topics with their way back
                    yield self.follow(OpenAll(page) if service is None else OpenMenu(service, page), lang)
            for topic in self.kb.topics:
                yield self.topic_reply(topic, lang)
                yield self.feedback(Input(lang, action=Vote(topic, False)))
                if self.kb.topics[topic].referrals:
                    yield self.feedback(Input(lang, action=ReportCard(topic)))
                for region in (None, *REGIONS):
                    for page in range(self.card_page_count(topic, region)):
                        yield self.referrals_reply(topic, lang, page, region)

    def _practice_screens(self, lang: Lang) -> Iterator[Reply]:
        """Every scenario with each of its answers, every checklist question, every reflection."""
        for reply in (
            self.practise(Input(lang, action=StartPractice())),
            self.practise(Input(lang, action=StartChecklist())),
        ):
            yield reply
            run = next((e.run for e in reply.effects if isinstance(e, KeepRun)), None)
            if run is None:  # no scenarios or no checklist in this knowledge
                continue
            count = (
                len(self.kb.practice.scenarios) if run.kind == "practice" else len(self.kb.practice.checklist)
            )
            for i in range(count):
                if run.kind == "practice":
                    step = Run(run.token, "practice", "", (i,))
                    yield self._scenario(step, lang)
                    for choice in range(len(self.kb.practice.scenarios[i].text(lang).choices)):
                        yield self._feedback(Run(run.token, "practice", "", (i,), (choice,)), lang)
                else:
                    yield self._question(Run(run.token, "checklist", "", run.items, (2,) * i), lang)
        for offset in range(len(self.kb.practice.reflections)):
            yield self.reflection(lang, date.fromordinal(offset + 1))

    def _tip_days(self) -> Iterator[date]:
        start = date(2026, 1, 1).toordinal()
        return (date.fromordinal(start + i) for i in range(len(self.kb.tips)))
