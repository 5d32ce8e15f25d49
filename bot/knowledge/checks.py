"""Curator checks beyond the schema: links, languages, facts, sizes, collisions.

Each check yields Problems; the CLI sorts them and picks the exit code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from rapidfuzz import fuzz

from bot.core.base import TELEGRAM_LIMIT
from bot.core.markup import ALLOWED_TAGS, safe_html
from bot.i18n import Strings
from bot.knowledge.danger_checks import check_danger
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import SERVICE_IDS
from bot.knowledge.practice_checks import check_practice
from bot.knowledge.shared_checks import check_facts_file, check_taxonomy
from bot.knowledge.style_checks import check_duplicate_tips, check_glossary, check_named_cards
from bot.lang import LANGS
from bot.matching.normalise import fold
from bot.problems import Problem

ANSWER_WORDS = (40, 150)
STALE_AFTER = timedelta(days=365)
PHONE = re.compile(
    r"(?<![\w.])(?:\+32|0)[\d .\-/()]{6,16}\d|(?<![\w.:/-])116 ?\d{3}(?![\w.:/-])|(?<![\w.:/-])1\d{2,3}(?![\w.:/-])"
)
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()]+|\b[a-z0-9-]+\.(?:be|org|eu|com|net)\b", re.I)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
TAG = re.compile(r"<(/?)([a-zA-Z]+)[^>]*>")

Check = Callable[[KnowledgeBase], Iterator[Problem]]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_key(text: str) -> str:
    """'+32 2 648 40 14' and '02/648 40 14' are the same number."""
    d = digits(text)
    if d.startswith("32") and len(d) > 8:
        d = "0" + d[2:]
    return d


def _topic_problem(
    kb: KnowledgeBase, topic_id: str, key: tuple[str | int, ...], message: str, severity: str = "error"
) -> Problem:
    return kb.problem_at(kb.topic_files[topic_id], key, message, severity)


def check_links(kb: KnowledgeBase) -> Iterator[Problem]:
    for tid, topic in kb.topics.items():
        for i, ref in enumerate(topic.related):
            if ref not in kb.topics:
                yield _topic_problem(kb, tid, ("related", i), f"no topic {ref!r}")
            elif ref == tid:
                yield _topic_problem(kb, tid, ("related", i), "a topic cannot be related to itself")
            elif tid not in kb.topics[ref].related:
                yield _topic_problem(kb, tid, ("related", i), f"{ref!r} does not link back", "warning")
        for i, ref in enumerate(topic.referrals):
            if ref not in kb.referrals:
                yield _topic_problem(kb, tid, ("referrals", i), f"no referral {ref!r} in referrals.yaml")
    services_file = kb.root / "services.yaml"
    for sid, service in kb.services.items():
        for i, ref in enumerate(service.topics):
            if ref not in kb.topics:
                yield kb.problem_at(services_file, ("services", sid, "topics", i), f"no topic {ref!r}")
            elif sid not in kb.topics[ref].service_ids():
                yield kb.problem_at(
                    services_file,
                    ("services", sid, "topics", i),
                    f"{ref!r} does not list {sid!r} in its services",
                )
        if len(set(service.topics)) != len(service.topics):
            yield kb.problem_at(services_file, ("services", sid, "topics"), "a topic is listed twice")
        for i, ref in enumerate(service.first):
            if ref not in service.topics:
                yield kb.problem_at(
                    services_file, ("services", sid, "first", i), f"{ref!r} is not in this menu's topics"
                )
        if not service.first:
            yield kb.problem_at(
                services_file,
                ("services", sid),
                "no `first` page: the menu opens on its first 8 topics",
                "warning",
            )
    for sid in SERVICE_IDS:
        if sid not in kb.services:
            yield kb.problem_at(services_file, ("services",), f"menu {sid!r} missing")
            continue
        for tid, topic in kb.topics.items():
            if sid in topic.service_ids() and tid not in kb.services[sid].topics:
                yield kb.problem_at(
                    services_file,
                    ("services", sid, "topics"),
                    f"{tid!r} says it belongs here but is not listed",
                )
    tips_file = kb.root / "tips.yaml"
    seen: set[str] = set()
    for i, tip in enumerate(kb.tips):
        if tip.topic not in kb.topics:
            yield kb.problem_at(tips_file, ("tips", i, "topic"), f"no topic {tip.topic!r}")
        if tip.id in seen:
            yield kb.problem_at(tips_file, ("tips", i, "id"), f"{tip.id!r} twice")
        seen.add(tip.id)


def check_answers(kb: KnowledgeBase) -> Iterator[Problem]:
    """Markup Telegram accepts, a length that fits a phone screen and a message."""
    for tid, topic in kb.topics.items():
        for lang in LANGS:
            text = topic.text(lang)
            key = (lang, "answer")
            stack: list[str] = []
            for m in TAG.finditer(text.answer):
                closing, name = m.group(1) == "/", m.group(2).lower()
                if name not in ALLOWED_TAGS:
                    allowed = ", ".join(f"<{t}>" for t in ALLOWED_TAGS)
                    yield _topic_problem(kb, tid, key, f"tag <{name}> not allowed (only {allowed})")
                elif closing:
                    if not stack or stack.pop() != name:
                        yield _topic_problem(kb, tid, key, f"</{name}> closes nothing")
                else:
                    stack.append(name)
            if stack:
                yield _topic_problem(kb, tid, key, f"<{stack[-1]}> is never closed")
            n = sum(
                1 for w in TAG.sub(" ", text.answer).split() if any(c.isalnum() for c in w)
            )  # not « : ? »
            if not ANSWER_WORDS[0] <= n <= ANSWER_WORDS[1]:
                yield _topic_problem(
                    kb, tid, key, f"{n} words; aim for {ANSWER_WORDS[0]}-{ANSWER_WORDS[1]}", "warning"
                )
            size = len(text.title) + len(safe_html(text.answer)) + 200
            if size > TELEGRAM_LIMIT:
                yield _topic_problem(
                    kb, tid, key, f"{size} characters do not fit a Telegram message ({TELEGRAM_LIMIT})"
                )
            if len(text.questions) != len({fold(q) for q in text.questions}):
                yield _topic_problem(kb, tid, (lang, "questions"), "the same question twice", "warning")


def check_facts_in_answers(kb: KnowledgeBase) -> Iterator[Problem]:
    """Every phone number, website or e-mail in an answer or tip must be in the directory."""
    phones = {phone_key(r.phone) for r in kb.referrals.values() if r.phone}
    sites = {
        fold(re.sub(r"^https?://(www\.)?", "", r.website or "")).split()[0]
        for r in kb.referrals.values()
        if r.website
    }
    emails = {r.email.lower() for r in kb.referrals.values() if r.email}

    def problems_in(text: str) -> Iterator[str]:
        for m in PHONE.finditer(text):
            if phone_key(m.group()) not in phones:
                yield f"phone number {m.group().strip()!r} is not in referrals.yaml"
        for m in EMAIL.finditer(text):
            if m.group().lower() not in emails:
                yield f"e-mail {m.group()!r} is not in referrals.yaml"
        for m in URL.finditer(EMAIL.sub(" ", text)):
            host = fold(re.sub(r"^https?://(www\.)?", "", m.group())).split()[0]
            if not any(host.startswith(s) or s.startswith(host) for s in sites):
                yield f"website {m.group()!r} is not in referrals.yaml"

    for tid, topic in kb.topics.items():
        for lang in LANGS:
            for message in problems_in(topic.text(lang).answer):
                yield _topic_problem(kb, tid, (lang, "answer"), message)
    for i, tip in enumerate(kb.tips):
        for lang in LANGS:
            for message in problems_in(tip.text(lang)):
                yield kb.problem_at(kb.root / "tips.yaml", ("tips", i, lang), message)


def check_referrals(kb: KnowledgeBase, today: date | None = None) -> Iterator[Problem]:
    today = today or date.today()
    path = kb.root / "referrals.yaml"
    for i, ref in enumerate(kb.referrals.values()):
        if today - ref.checked > STALE_AFTER:
            yield kb.problem_at(
                path,
                ("referrals", i, "checked"),
                f"{ref.id}: checked {ref.checked}, over 12 months ago: re-check",
                "warning",
            )
        if ref.confidence == "medium":
            note = f": {ref.curator_note}" if ref.curator_note else ""
            yield kb.problem_at(
                path,
                ("referrals", i, "confidence"),
                f"{ref.id}: medium confidence, due for re-checking{note}",
                "info",
            )
        if not (ref.phone or ref.website or ref.address or ref.email):
            yield kb.problem_at(
                path,
                ("referrals", i),
                f"{ref.id}: no phone, address, website or e-mail (the card only describes it)",
                "info",
            )


def answer_words(answer: str) -> int:
    """Words of an answer without its tags; French spaced signs (« : ? ») are not words."""
    return sum(1 for w in TAG.sub(" ", answer).split() if any(c.isalnum() for c in w))


def check_collisions(kb: KnowledgeBase) -> Iterator[Problem]:
    """An example question that (nearly) equals one of another topic confuses the matcher."""
    for lang in LANGS:
        seen: list[tuple[str, str, int]] = []
        for tid, topic in kb.topics.items():
            for qi, question in enumerate(topic.text(lang).questions):
                folded = fold(question)
                for other_tid, other, _ in seen:
                    if other_tid != tid and fuzz.ratio(folded, other) >= 92:
                        yield _topic_problem(
                            kb,
                            tid,
                            (lang, "questions", qi),
                            f"almost the same as a question of {other_tid!r}: {question!r}",
                            "warning",
                        )
                        break
                seen.append((tid, folded, qi))


MIN_QUESTIONS = 25  # example questions per topic and language


def check_question_counts(kb: KnowledgeBase) -> Iterator[Problem]:
    for topic in kb.topics.values():
        for lang in LANGS:
            n = len(topic.text(lang).questions)
            if n < MIN_QUESTIONS:
                yield _topic_problem(
                    kb,
                    topic.id,
                    (lang, "questions"),
                    f"{n} example questions; write at least {MIN_QUESTIONS}",
                    "warning",
                )


def run_checks(
    kb: KnowledgeBase, strings: Strings | None, spec: Path | None = None, facts: Path | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    for check in (
        check_links,
        check_answers,
        check_facts_in_answers,
        check_referrals,
        check_collisions,
        check_danger,
        check_question_counts,
        check_glossary,
        check_duplicate_tips,
        check_named_cards,
        check_practice,
    ):
        problems.extend(check(kb))
    if spec is not None and spec.is_file():
        problems.extend(check_taxonomy(kb, spec))
    else:
        problems.append(
            Problem(
                kb.root,
                1,
                "taxonomy not found (--spec): the topics were not compared with the required list",
                "warning",
            )
        )
    if facts is not None and facts.is_file():
        problems.extend(check_facts_file(kb, facts))
    else:
        problems.append(
            Problem(
                kb.root,
                1,
                "facts file not found (--facts): numbers and addresses were NOT compared with the verified facts",
                "warning",
            )
        )
    if strings is not None:
        problems.extend(strings.check())
    return problems
