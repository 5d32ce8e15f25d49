"""The conversation step: Input -> Reply. Danger first; then commands, buttons, navigation, text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.core.actions import FeedbackAction, OpenMenu, OpenTopic, PracticeAction, StartChecklist, StopDaily
from bot.core.base import MAX_REPLY_CHARS, TELEGRAM_LIMIT
from bot.core.daily import brussels_now
from bot.core.markup import italic
from bot.core.replies import Button, Input, Reply
from bot.core.screens import Screens
from bot.core.smalltalk import SmallTalk
from bot.i18n import Strings, load_strings
from bot.knowledge.loader import KnowledgeBase, load_knowledge
from bot.knowledge.models import SERVICE_IDS, Referral
from bot.lang import DEFAULT_LANG, LANG_NAMES, Lang
from bot.matching.encoder import EmbeddingCache, default_encoder
from bot.matching.matcher import EMERGENCY_TOPIC, Match, Matcher, Tuning, build_matcher
from bot.matching.normalise import fold

# A whole Telegram message is read: a danger cue can sit anywhere in a long description (the
# matcher caps its own cost per word and per piece, so noise costs no more).
MAX_INPUT_CHARS = TELEGRAM_LIMIT
LONG_INPUT_CHARS = 1000  # past this the topic is found from the beginning (danger is read throughout)
MAX_SEARCH_CHARS = 200
COMMANDS = (
    "sos",
    "start",
    "menu",
    "help",
    "tip",
    "practice",
    "reflect",
    "checklist",
    "daily",
    "stop",
    "language",
    "privacy",
    "forget",
    "about",
)


@dataclass
class Core(Screens):
    kb: KnowledgeBase
    strings: Strings
    matcher: Matcher
    default_lang: Lang = DEFAULT_LANG
    talk: SmallTalk = field(init=False)

    def __post_init__(self) -> None:
        Screens.__init__(self, self.kb, self.strings)
        self.talk = SmallTalk.from_strings(self.strings)

    @classmethod
    def load(
        cls,
        knowledge: Path,
        locales: Path,
        default_lang: Lang = DEFAULT_LANG,
        tuning: Tuning | None = None,
        cache: Path | None = None,
    ) -> Core:
        kb = load_knowledge(knowledge)
        embeddings = EmbeddingCache(default_encoder(), cache) if cache is not None else None
        return cls(kb, load_strings(locales), build_matcher(kb, tuning, embeddings), default_lang)

    def respond(self, event: Input) -> Reply:
        return self.counted(event, self._respond(event))

    def _respond(self, event: Input) -> Reply:
        if event.command is not None:
            return self.command(event)
        if isinstance(event.action, FeedbackAction):
            return self.feedback(event)
        if isinstance(event.action, PracticeAction):
            return self.practise(event)
        if event.action is not None:
            return self.follow(event.action, event.lang, event.subscribed_hour)
        return self.answer(event)

    @staticmethod
    def wants_subscription(event: Input) -> bool:
        """Whether the reply depends on the chat's daily-tip hour (Input.subscribed_hour)."""
        return event.command in ("daily", "stop") or isinstance(event.action, StopDaily)

    def command(self, event: Input) -> Reply:
        lang = event.lang
        match event.command:
            case "start" if event.action is not None:  # a deep link from a poster or a colleague
                return self.follow(event.action, lang)
            case "start":
                return self.info(lang, "welcome", with_menu=True, kind="greeting")
            case "sos" if EMERGENCY_TOPIC in self.kb.topics:  # the numbers, one tap from anywhere
                return self.topic_reply(EMERGENCY_TOPIC, lang)
            case "menu":
                return self.main_menu(lang)
            case "help":
                return self.info(lang, "help", with_menu=True)
            case "about" | "privacy":
                return self.info(lang, event.command)
            case "tip":
                return self.tip_reply(lang)
            case "practice":
                return self.practice_menu(lang)
            case "reflect":
                return self.reflection(lang, brussels_now().date())
            case "checklist":
                return self.practise(Input(lang, action=StartChecklist()))
            case "daily":
                return self.daily_offer(lang, event.subscribed_hour)
            case "stop":
                return self.unsubscribed(lang, event.subscribed_hour)
            case "language":
                return self.language_offer(lang)
            case "forget":
                return self.forgotten(lang)
        return self.info(lang, "unknown_command")

    def answer(self, event: Input) -> Reply:
        """Free text: danger first (an emergency never loses to a closer match), then a topic."""
        text = event.text[:MAX_INPUT_CHARS]
        if not text.strip():
            return self.main_menu(event.lang, self.t(event.lang, "unsupported"))
        match self.talk.navigation(text):
            case "back":
                return self.follow(event.back or OpenMenu(), event.lang)
            case "menu":
                return self.main_menu(event.lang)
        reply = self._answer(text, event)
        if len(event.text) > LONG_INPUT_CHARS:
            reply = reply.but(html=reply.html + "\n\n" + italic(self.t(reply.lang, "too_long")))
        return reply

    def _answer(self, text: str, event: Input) -> Reply:
        match = self.matcher.match(text, event.lang, detect=event.detect_language)
        lang = match.lang
        note = ""
        if lang != event.lang:
            note = "\n\n" + italic(self.t(lang, "answered_in", language=LANG_NAMES[lang]))
        if match.emergency:
            return self.emergency_reply(lang, match, note)
        talk = self.talk.talk(text)  # only greeting, thanks or help words: not a topic question
        if talk is not None:
            return self.info(event.lang, talk, with_menu=True, kind="greeting").but(match=match)
        last = event.last_topic if event.last_topic in self.kb.topics and match.decision != "answer" else None
        if last and self.talk.wants_referrals(text) and self.kb.topics[last].referrals:
            return self.referrals_reply(last, lang).but(match=match)
        if last and self.talk.follow_up(text) and self.matcher.indexes[lang].coverage_of(text)[0]:
            # "and for a minor?": read it with the topic just read
            again = self.matcher.match(f"{self.title(last, lang)}: {text}", lang, detect=False)
            if again.decision == "answer" and not again.emergency:
                match = again
        if match.decision == "answer":
            return self.topic_reply(match.topics[0], lang, extra=note).but(kind="answer", match=match)
        if match.decision == "clarify":
            rows = tuple((Button(self.title(t, lang), OpenTopic(t)),) for t in self.matcher.candidates(match))
            rows += ((Button(self.t(lang, "btn.menu"), OpenMenu()),),)
            return Reply(self.t(lang, "clarify") + note, lang, "clarify", rows, None, match)
        menu = self.main_menu(lang, self.t(lang, "none") + note)
        return menu.but(kind="none", match=match, rows=(self.send_button(lang), *menu.rows))

    def emergency_reply(self, lang: Lang, match: Match, note: str = "") -> Reply:
        """The emergency block first, then the guidance the worker asked about: a false alarm costs little."""
        base = self.topic_reply(EMERGENCY_TOPIC, lang, extra=note)
        rows = list(base.rows)
        others = [(t, s) for t, s in match.matches[1:3] if t != EMERGENCY_TOPIC]
        text = base.html
        asked_for_numbers = match.verdict is not None and match.verdict.cue == "topic"
        if others and others[0][1] >= self.matcher.tuning.clarify_at and not asked_for_numbers:
            asked = self.kb.topics[others[0][0]]
            guidance = self.topic_html(asked, lang)
            if len(text) + len(guidance) < MAX_REPLY_CHARS:
                text += "\n\n———\n" + self.t(lang, "emergency.also") + "\n\n" + guidance
            button = Button("› " + asked.text(lang).title, OpenTopic(asked.id))
            rows = [row for r in rows if (row := tuple(b for b in r if b.action != button.action))]  # no twin
            rows.insert(0, (button,))
        return Reply(text, lang, "emergency", tuple(rows), EMERGENCY_TOPIC, match)

    def search(self, text: str, lang: Lang) -> tuple[Lang, list[str], list[Referral]]:
        """Topics and referral cards for a search (Telegram's inline mode): a topic id, a question,
        or nothing (one topic per service)."""
        text = text.strip()[:MAX_SEARCH_CHARS]
        topic_ids: list[str] = []
        if text in self.kb.topics:
            topic_ids = [text]
        elif text:
            match = self.matcher.match(text, lang)
            lang = match.lang
            if match.decision != "none":
                topic_ids = [t for t in match.topics[:5] if t in self.kb.topics]
        else:
            firsts = (self.kb.services[s].topics[:1] for s in SERVICE_IDS if s in self.kb.services)
            topic_ids = list(dict.fromkeys(t for first in firsts for t in first))
        wanted = fold(text)
        ids = [
            r.id
            for r in self.kb.referrals.values()
            if len(wanted) >= 3 and (wanted in fold(r.name) or wanted in r.id)
        ]
        for tid in topic_ids[:1]:
            ids += [r for r in self.kb.topics[tid].referrals if r in self.kb.referrals]
        return lang, topic_ids, [self.kb.referrals[r] for r in dict.fromkeys(ids)]
