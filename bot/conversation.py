"""The transport-agnostic conversation step: (text or button, language) -> a Reply.

Adapters (console, Telegram) only render a Reply; nothing here knows about Telegram.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from bot.i18n import Strings, load_strings
from bot.knowledge.loader import KnowledgeBase, load_knowledge
from bot.knowledge.models import (
    LANG_NAMES,
    LANGS,
    SERVICE_IDS,
    Lang,
    Referral,
    ServiceId,
    Tip,
    Topic,
)
from bot.matching.matcher import EMERGENCY_TOPIC, Match, Matcher, Tuning, build_matcher
from bot.matching.normalise import fold

PAGE_SIZE = 8
TELEGRAM_LIMIT = 4096
# A whole Telegram message is read: a danger cue can sit anywhere in a long description (the
# matcher caps its own cost per word and per piece, so noise costs no more).
MAX_INPUT_CHARS = TELEGRAM_LIMIT
MAX_REPLY_CHARS = TELEGRAM_LIMIT - 200  # room for the language note and markup
LONG_INPUT_CHARS = 1000  # past this the topic is found from the beginning (danger is read throughout)


# ---------------------------------------------------------------- actions (what a button does)


@dataclass(frozen=True, slots=True)
class OpenTopic:
    topic: str
    back: str = ""  # "s:<service>", "a:<page>" or "" (main menu)


@dataclass(frozen=True, slots=True)
class OpenMenu:
    service: ServiceId | None = None  # None: the main service menu
    page: int = 0


@dataclass(frozen=True, slots=True)
class OpenAll:
    page: int = 0


@dataclass(frozen=True, slots=True)
class ShowReferrals:
    topic: str


@dataclass(frozen=True, slots=True)
class Share:
    topic: str


@dataclass(frozen=True, slots=True)
class SetLanguage:
    lang: Lang


@dataclass(frozen=True, slots=True)
class DailyAt:
    hour: int


@dataclass(frozen=True, slots=True)
class StopDaily:
    pass


Action = OpenTopic | OpenMenu | OpenAll | ShowReferrals | Share | SetLanguage | DailyAt | StopDaily


def encode(action: Action) -> str:
    """Compact button data (Telegram allows 64 bytes)."""
    match action:
        case OpenTopic(topic, back):
            return f"t:{topic}:{back}" if back else f"t:{topic}"
        case OpenMenu(None, _):
            return "m"
        case OpenMenu(service, page):
            return f"s:{service}:{page}"
        case OpenAll(page):
            return f"a:{page}"
        case ShowReferrals(topic):
            return f"r:{topic}"
        case Share(topic):
            return f"h:{topic}"
        case SetLanguage(lang):
            return f"l:{lang}"
        case DailyAt(hour):
            return f"d:{hour}"
        case StopDaily():
            return "x"
    raise ValueError(action)


def _page(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 4 else None


def decode(data: str, kb: KnowledgeBase) -> Action | None:
    """Button data back to an action; None for anything the bot did not make (forged, stale)."""
    if not isinstance(data, str) or len(data) > 64:
        return None
    kind, _, rest = data.partition(":")
    arg, _, extra = rest.partition(":")
    if kind == "t" and arg in kb.topics:
        if extra and not isinstance(decode(extra.replace("=", ":"), kb), OpenMenu | OpenAll):
            return None
        return OpenTopic(arg, extra)
    if kind == "m" and not rest:
        return OpenMenu()
    if kind == "s" and arg in kb.services and (page := _page(extra)) is not None:
        return OpenMenu(arg, page)  # type: ignore[arg-type,unused-ignore]
    if kind == "a" and (page := _page(arg)) is not None and not extra:
        return OpenAll(page)
    if kind == "r" and arg in kb.topics and not extra:
        return ShowReferrals(arg)
    if kind == "h" and arg in kb.topics and not extra:
        return Share(arg)
    if kind == "l" and arg in LANGS and not extra:
        return SetLanguage(arg)  # type: ignore[arg-type,unused-ignore]
    if kind == "d" and (hour := _page(arg)) is not None and hour < 24 and not extra:
        return DailyAt(hour)
    if kind == "x" and not rest:
        return StopDaily()
    return None


# ---------------------------------------------------------------- replies


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: Action


ReplyKind = Literal[
    "answer", "clarify", "none", "menu", "emergency", "greeting", "referrals", "tip", "info", "expired"
]


@dataclass(frozen=True, slots=True)
class Reply:
    html: str  # Telegram's HTML subset: only <b> and <i>; everything else escaped
    lang: Lang
    kind: ReplyKind
    rows: tuple[tuple[Button, ...], ...] = ()
    topic_id: str | None = None
    match: Match | None = None

    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


@dataclass(frozen=True, slots=True)
class Input:
    lang: Lang
    text: str = ""
    action: Action | None = None
    detect_language: bool = True


_TAG = re.compile(r"&lt;(/?)(b|i)&gt;")


def safe_html(text: str) -> str:
    """Escape curated text, then let only <b> and <i> through."""
    return _TAG.sub(r"<\1\2>", html.escape(text, quote=False))


def plain_text(markup: str) -> str:
    """Our HTML subset to plain text, for the console and inline previews."""
    return html.unescape(re.sub(r"</?(b|i)>", "", markup))


# ---------------------------------------------------------------- small talk

_SMALL_TALK: dict[str, set[str]] = {
    "greeting": {
        "hi",
        "hello",
        "hey",
        "hallo",
        "hoi",
        "dag",
        "goeiedag",
        "goedendag",
        "goedemorgen",
        "bonjour",
        "bonsoir",
        "salut",
        "coucou",
        "ola",
        "oi",
        "bom",
        "boa",
        "dia",
        "tarde",
        "noite",
        "good",
        "morning",
        "afternoon",
        "evening",
        "start",
        "begin",
        "yo",
        "there",
        "everyone",
        "iedereen",
        "tout",
        "le",
        "monde",
        "menu",
        "bot",
        "guidebot",
        "alo",
        "allo",
    },
    "thanks": {
        "thanks",
        "thank",
        "you",
        "thx",
        "cheers",
        "merci",
        "beaucoup",
        "bedankt",
        "dank",
        "je",
        "u",
        "wel",
        "obrigado",
        "obrigada",
        "muito",
        "great",
        "super",
        "top",
        "perfect",
        "parfait",
        "nickel",
        "ok",
        "oke",
        "okay",
        "cool",
        "geweldig",
        "otimo",
    },
    "help": {
        "help",
        "aide",
        "aidez",
        "moi",
        "hulp",
        "helpen",
        "ajuda",
        "ajudar",
        "socorro",
        "me",
        "please",
        "svp",
        "pls",
        "alstublieft",
        "aub",
        "por",
        "favor",
        "how",
        "works",
        "this",
        "does",
        "work",
    },
}


def small_talk(text: str) -> str | None:
    """'greeting', 'thanks' or 'help' when the whole message is just that."""
    tokens = fold(text).split()
    if not tokens or len(tokens) > 5:
        return None
    for kind in ("help", "thanks", "greeting"):
        vocab = _SMALL_TALK[kind] | _SMALL_TALK["greeting"]
        specific = _SMALL_TALK[kind] - (set() if kind == "greeting" else _SMALL_TALK["greeting"])
        if all(t in vocab for t in tokens) and any(t in specific for t in tokens):
            return kind
    return None


# ---------------------------------------------------------------- the core


@dataclass
class Core:
    kb: KnowledgeBase
    strings: Strings
    matcher: Matcher
    default_lang: Lang = "en"
    _cards: dict[tuple[str, Lang], str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls, knowledge: Path, locales: Path, default_lang: Lang = "en", tuning: Tuning | None = None
    ) -> Core:
        kb = load_knowledge(knowledge)
        strings = load_strings(locales)
        return cls(kb, strings, build_matcher(kb, tuning), default_lang)

    def t(self, lang: Lang, key: str, **values: object) -> str:
        return self.strings.t(lang, key, **values)

    # ------------------------------------------------------------ entry point

    def respond(self, event: Input) -> Reply:
        """Danger first: an emergency must never lose to a closer match."""
        if event.action is not None:
            return self.follow(event.action, event.lang)
        text = event.text[:MAX_INPUT_CHARS]
        if not text.strip():
            return self.main_menu(event.lang, self.t(event.lang, "unsupported"))
        match = self.matcher.match(text, event.lang, detect=event.detect_language)
        lang = match.lang
        note = ""
        if lang != event.lang:
            note = "\n\n<i>" + self.t(lang, "answered_in", language=LANG_NAMES[lang]) + "</i>"
        if match.emergency:
            return self.emergency_reply(lang, match, note)
        if match.decision != "answer":
            talk = small_talk(text)
            if talk is not None:
                return self.main_menu(event.lang, self.t(event.lang, talk), kind="greeting")
        if match.decision == "answer":
            reply = self.topic_reply(match.topics[0], lang, extra=note)
            return Reply(reply.html, lang, "answer", reply.rows, reply.topic_id, match)
        if match.decision == "clarify":
            rows = tuple(
                (Button(self.kb.topics[t].text(lang).title, OpenTopic(t)),)
                for t in self.matcher.candidates(match)
            )
            rows += ((Button(self.t(lang, "btn.menu"), OpenMenu()),),)
            return Reply(self.t(lang, "clarify") + note, lang, "clarify", rows, None, match)
        menu = self.main_menu(lang, self.t(lang, "none") + note)
        return Reply(menu.html, lang, "none", menu.rows, None, match)

    def follow(self, action: Action, lang: Lang) -> Reply:
        match action:
            case OpenTopic(topic, back):
                return self.topic_reply(topic, lang, back)
            case OpenMenu(None, _):
                return self.main_menu(lang)
            case OpenMenu(service, page) if service is not None:
                return self.service_menu(service, lang, page)
            case OpenAll(page):
                return self.all_topics(lang, page)
            case ShowReferrals(topic):
                return self.referrals_reply(topic, lang)
            case Share(topic):
                return self.share_reply(topic, lang)
        # Language and daily-tip actions belong to adapters that can store a choice.
        return self.main_menu(lang)

    # ------------------------------------------------------------ builders

    def _service_button(self, service: ServiceId, lang: Lang) -> Button:
        return Button(self.kb.services[service].label.get(lang), OpenMenu(service))

    def main_menu(self, lang: Lang, lead: str | None = None, kind: ReplyKind = "menu") -> Reply:
        services = [s for s in SERVICE_IDS if s in self.kb.services]
        buttons = [self._service_button(s, lang) for s in services]
        buttons.append(Button(self.t(lang, "btn.all_topics"), OpenAll()))
        rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        if EMERGENCY_TOPIC in self.kb.topics:
            rows.append((Button(self.t(lang, "btn.emergency"), OpenTopic(EMERGENCY_TOPIC)),))
        text = lead if lead is not None else self.t(lang, "menu.title")
        if lead is not None and kind != "menu":
            text = lead + "\n\n" + self.t(lang, "menu.title")
        return Reply(text, lang, kind, tuple(rows))

    def _paged(
        self,
        topics: list[str],
        lang: Lang,
        page: int,
        make: type[OpenMenu] | type[OpenAll],
        service: ServiceId | None,
        back: str,
    ) -> tuple[list[tuple[Button, ...]], int, int]:
        pages = max(1, -(-len(topics) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        chunk = topics[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        rows: list[tuple[Button, ...]] = [
            (Button(self.kb.topics[t].text(lang).title, OpenTopic(t, back + str(page))),) for t in chunk
        ]
        nav: list[Button] = []
        if page > 0:
            nav.append(
                Button(
                    self.t(lang, "btn.prev"),
                    OpenMenu(service, page - 1) if make is OpenMenu else OpenAll(page - 1),
                )
            )
        if page < pages - 1:
            nav.append(
                Button(
                    self.t(lang, "btn.next"),
                    OpenMenu(service, page + 1) if make is OpenMenu else OpenAll(page + 1),
                )
            )
        if nav:
            rows.append(tuple(nav))
        rows.append((Button(self.t(lang, "btn.menu"), OpenMenu()),))
        return rows, page, pages

    def service_menu(self, service: ServiceId, lang: Lang, page: int = 0) -> Reply:
        topics = [t for t in self.kb.services[service].topics if t in self.kb.topics]
        rows, page, pages = self._paged(topics, lang, page, OpenMenu, service, f"s={service}=")
        label = self.kb.services[service].label.get(lang)
        head = self.t(lang, "menu.service", service=html.escape(label, quote=False))
        if pages > 1:
            head += f" ({page + 1}/{pages})"
        return Reply(head, lang, "menu", tuple(rows))

    def all_topics(self, lang: Lang, page: int = 0) -> Reply:
        rows, page, pages = self._paged(list(self.kb.topics), lang, page, OpenAll, None, "a=")
        return Reply(self.t(lang, "menu.all", page=page + 1, pages=pages), lang, "menu", tuple(rows))

    def topic_html(self, topic: Topic, lang: Lang) -> str:
        text = topic.text(lang)
        return f"<b>{html.escape(text.title, quote=False)}</b>\n\n{safe_html(text.answer.strip())}"

    def topic_reply(self, topic_id: str, lang: Lang, back: str = "", extra: str = "") -> Reply:
        topic = self.kb.topics[topic_id]
        related = [r for r in topic.related if r in self.kb.topics][:6]
        rows: list[tuple[Button, ...]] = []
        for i in range(0, len(related), 2):
            rows.append(
                tuple(
                    Button("› " + self.kb.topics[r].text(lang).title, OpenTopic(r))
                    for r in related[i : i + 2]
                )
            )
        action_row = [Button(self.t(lang, "btn.share"), Share(topic_id))]
        if topic.referrals:
            action_row.insert(0, Button(self.t(lang, "btn.refer"), ShowReferrals(topic_id)))
        rows.append(tuple(action_row))
        back_action = decode(back.replace("=", ":"), self.kb) if back else None
        nav = [Button(self.t(lang, "btn.menu"), OpenMenu())]
        if isinstance(back_action, OpenMenu | OpenAll):
            nav.insert(0, Button(self.t(lang, "btn.back"), back_action))
        rows.append(tuple(nav))
        kind: ReplyKind = "emergency" if topic_id == EMERGENCY_TOPIC else "answer"
        return Reply(self.topic_html(topic, lang) + extra, lang, kind, tuple(rows), topic_id)

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
            rows = [row for r in rows if (row := tuple(b for b in r if b != button))]  # no twin below
            rows.insert(0, (button,))
        return Reply(text, lang, "emergency", tuple(rows), EMERGENCY_TOPIC, match)

    def card_html(self, ref: Referral, lang: Lang) -> str:
        key = (ref.id, lang)
        if key not in self._cards:
            esc = functools.partial(html.escape, quote=False)
            lines = [f"<b>{esc(ref.display_name(lang))}</b>", esc(ref.offers.get(lang))]
            if ref.phone:
                phone = f"📞 {self.t(lang, 'card.phone')}: <b>{esc(ref.phone)}</b>"
                if ref.free_call:
                    phone += f" ({self.t(lang, 'card.free')})"
                if ref.hours:
                    phone += f" · {esc(ref.hours.get(lang))}"
                lines.append(phone)
            if ref.address:
                lines.append(f"📍 {self.t(lang, 'card.address')}: {esc(ref.address)}")
            if ref.website:
                lines.append(f"🌐 {esc(ref.website)}")
            if ref.email:
                lines.append(f"✉️ {esc(ref.email)}")
            if ref.notice:
                lines.append(f"⚠️ <i>{esc(ref.notice.get(lang))}</i>")
            checked = self.t(lang, "card.checked", date=ref.checked.isoformat())
            if ref.confidence == "medium":
                checked += " · " + self.t(lang, "card.recheck")
            lines.append(f"<i>{checked}</i>")
            self._cards[key] = "\n".join(lines)
        return self._cards[key]

    def referrals_reply(self, topic_id: str, lang: Lang) -> Reply:
        topic = self.kb.topics[topic_id]
        head = self.t(lang, "referrals.title", topic=html.escape(topic.text(lang).title, quote=False))
        cards = [
            self.card_html(self.kb.referrals[r], lang) for r in topic.referrals if r in self.kb.referrals
        ]
        body = head
        for card in cards:
            if len(body) + len(card) + 2 > TELEGRAM_LIMIT - 200:
                break
            body += "\n\n" + card
        if not cards:
            body += "\n\n" + self.t(lang, "referrals.none")
        rows = (
            (
                Button(self.t(lang, "btn.back"), OpenTopic(topic_id)),
                Button(self.t(lang, "btn.menu"), OpenMenu()),
            ),
        )
        return Reply(body, lang, "referrals", rows, topic_id)

    def share_reply(self, topic_id: str, lang: Lang) -> Reply:
        """What a colleague receives: the answer and the place to find more."""
        topic = self.kb.topics[topic_id]
        text = self.topic_html(topic, lang) + "\n\n<i>" + self.t(lang, "share.footer") + "</i>"
        return Reply(text, lang, "answer", (), topic_id)

    def tip_of(self, day: date) -> Tip:
        """Same tip for everyone on a given day; the cycle covers every tip before repeating."""
        return self.kb.tips[day.toordinal() % len(self.kb.tips)]

    def tip_reply(self, lang: Lang, day: date) -> Reply:
        tip = self.tip_of(day)
        text = self.t(lang, "tip.title") + "\n" + html.escape(tip.text(lang), quote=False)
        rows: tuple[tuple[Button, ...], ...] = ()
        if tip.topic in self.kb.topics:
            rows = (
                (
                    Button(
                        self.t(lang, "btn.more") + " " + self.kb.topics[tip.topic].text(lang).title,
                        OpenTopic(tip.topic),
                    ),
                ),
            )
        return Reply(text, lang, "tip", rows, tip.topic)

    def info(self, lang: Lang, key: str, with_menu: bool = False) -> Reply:
        if with_menu:
            return self.main_menu(lang, self.t(lang, key), kind="info")
        return Reply(self.t(lang, key), lang, "info")
