"""Button data and deep links: the one wire format between an Action and Telegram.

Button data is ``<lang>|<action>``: ``t:<topic>[:<back>]``, ``m``, ``s:<service>:<page>``,
``a:<page>``, ``r:<topic>``, ``h:<topic>``, ``l:<lang>``, ``d:<hour>``, ``x``; feedback:
``v:<topic>:1|0`` (👍/👎), ``w:<topic>:<reason>``, ``q`` (send the question), ``c:<topic>[:<card>]``;
practice: ``P[:<service>]`` (start), ``p:<run>:<step>[:<choice>]``, ``K`` (checklist), ``k:<run>:<step>:<answer>``;
a topic's way back is one of the menu forms. Telegram allows 64 bytes of UTF-8. Decoding accepts only what the bot
itself offers (Screens.offers): forged, stale or oversized data is None, never an exception.
Deep links (``/start t_<topic>``, ``/start s_<service>``) are built and read here too.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.actions import (
    DAILY_CONTENTS,
    REASONS,
    REGIONS,
    Action,
    ChecklistStep,
    DailyAt,
    OpenAll,
    OpenMenu,
    OpenTopic,
    PracticeStep,
    ReportCard,
    SendQuestion,
    SetLanguage,
    Share,
    ShowReferrals,
    StartChecklist,
    StartPractice,
    StopDaily,
    Vote,
    WhyNot,
)
from bot.core.base import TELEGRAM_LIMIT
from bot.core.screens import Screens
from bot.lang import Lang, as_lang
from bot.problems import Problem

MAX_BYTES = 64  # Telegram's limit on callback_data
_LANG_SEP, _SEP = "|", ":"
_MAX_DIGITS = 3


def _action(action: Action) -> str:
    match action:
        case OpenTopic(topic, None):
            return f"t:{topic}"
        case OpenTopic(topic, OpenMenu() | OpenAll() as back):
            return f"t:{topic}:{_action(back)}"
        case OpenMenu(None, _):
            return "m"
        case OpenMenu(service, page):
            return f"s:{service}:{page}"
        case OpenAll(page):
            return f"a:{page}"
        case ShowReferrals(topic, 0, None):
            return f"r:{topic}"
        case ShowReferrals(topic, page, None):
            return f"r:{topic}:{page}"
        case ShowReferrals(topic, page, region):
            return f"r:{topic}:{page}:{region}"
        case Share(topic):
            return f"h:{topic}"
        case SetLanguage(lang):
            return f"l:{lang}"
        case DailyAt(hour, "tips"):
            return f"d:{hour}"
        case DailyAt(hour, content):
            return f"d:{hour}:{content}"
        case StopDaily():
            return "x"
        case Vote(topic, up):
            return f"v:{topic}:{int(up)}"
        case WhyNot(topic, reason):
            return f"w:{topic}:{reason}"
        case SendQuestion():
            return "q"
        case ReportCard(topic, None):
            return f"c:{topic}"
        case ReportCard(topic, index):
            return f"c:{topic}:{index}"
        case StartPractice(None):
            return "P"
        case StartPractice(service):
            return f"P:{service}"
        case PracticeStep(run, step, None):
            return f"p:{run}:{step}"
        case PracticeStep(run, step, choice):
            return f"p:{run}:{step}:{choice}"
        case StartChecklist():
            return "K"
        case ChecklistStep(run, step, answer):
            return f"k:{run}:{step}:{answer}"
    raise ValueError(action)


def encode(lang: Lang, action: Action) -> str:
    data = f"{lang}{_LANG_SEP}{_action(action)}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data}")
    return data


def _number(text: str) -> int | None:
    """ASCII digits only: int() would accept '²' or '٣' and raise on some of them."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def _parse(parts: list[str]) -> Action | None:
    match parts:
        case ["m"]:
            return OpenMenu()
        case ["s", service, page] if (n := _number(page)) is not None:
            return OpenMenu(service, n)  # type: ignore[arg-type]  # checked by Screens.offers
        case ["a", page] if (n := _number(page)) is not None:
            return OpenAll(n)
        case ["t", topic]:
            return OpenTopic(topic)
        case ["t", topic, *rest]:
            back = _parse(rest)
            return OpenTopic(topic, back) if isinstance(back, OpenMenu | OpenAll) else None
        case ["r", topic]:
            return ShowReferrals(topic)
        case ["r", topic, page] if (n := _number(page)) is not None:
            return ShowReferrals(topic, n)
        case ["r", topic, page, region] if (n := _number(page)) is not None and region in REGIONS:
            return ShowReferrals(topic, n, region)
        case ["h", topic]:
            return Share(topic)
        case ["l", code] if (lang := as_lang(code)) is not None:
            return SetLanguage(lang)
        case ["d", hour] if (n := _number(hour)) is not None:
            return DailyAt(n)
        case ["d", hour, content] if (n := _number(hour)) is not None and content in DAILY_CONTENTS:
            return DailyAt(n, content)
        case ["x"]:
            return StopDaily()
        case ["v", topic, "1" | "0" as up]:
            return Vote(topic, up == "1")
        case ["w", topic, reason] if reason in REASONS:
            return WhyNot(topic, reason)
        case ["q"]:
            return SendQuestion()
        case ["c", topic]:
            return ReportCard(topic)
        case ["c", topic, index] if (n := _number(index)) is not None:
            return ReportCard(topic, n)
        case ["P"]:
            return StartPractice()
        case ["P", service]:
            return StartPractice(service)  # type: ignore[arg-type]  # checked by Screens.offers
        case ["p", run, step] if (n := _number(step)) is not None:
            return PracticeStep(run, n)
        case ["p", run, step, choice] if (n := _number(step)) is not None and (
            c := _number(choice)
        ) is not None:
            return PracticeStep(run, n, c)
        case ["K"]:
            return StartChecklist()
        case ["k", run, step, answer] if (n := _number(step)) is not None and (
            a := _number(answer)
        ) is not None:
            return ChecklistStep(run, n, a)
    return None


def decode(data: object, screens: Screens) -> tuple[Lang, Action] | None:
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    code, sep, rest = data.partition(_LANG_SEP)
    lang = as_lang(code)
    action = _parse(rest.split(_SEP)) if sep else None
    if lang is None or action is None or not screens.offers(action):
        return None
    return lang, action


def deep_link(action: OpenTopic | OpenMenu) -> str:
    """The /start payload for a poster or a shared answer."""
    if isinstance(action, OpenTopic):
        return f"t_{action.topic}"
    return f"s_{action.service}" if action.service else ""


def parse_deep_link(payload: str, screens: Screens) -> OpenTopic | OpenMenu | None:
    kind, _, target = payload.partition("_")
    action: OpenTopic | OpenMenu | None = None
    if kind == "t":
        action = OpenTopic(target)
    elif kind == "s":
        action = OpenMenu(target)  # type: ignore[arg-type]  # checked by Screens.offers
    return action if action is not None and screens.offers(action) else None


def check(screens: Screens, where: Path) -> list[Problem]:
    """Every screen the knowledge can produce must fit one Telegram message, and every button its
    64 bytes and read back as itself."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for reply in screens.every_screen():
        if len(reply.html) > TELEGRAM_LIMIT:
            what = f"{reply.topic_id or 'a'} {reply.kind} screen ({reply.lang})"
            problems.append(
                Problem(where, 1, f"{what}: {len(reply.html)} characters, over Telegram's {TELEGRAM_LIMIT}")
            )
        for button in reply.buttons():
            try:
                data = encode(reply.lang, button.action)
            except ValueError as exc:
                problems.append(Problem(where, 1, f"{button.label!r}: {exc}"))
                continue
            if data not in seen:
                seen.add(data)
                if decode(data, screens) != (reply.lang, button.action):
                    problems.append(
                        Problem(where, 1, f"{button.label!r}: button data {data!r} does not read back")
                    )
    return problems
