"""Checks of the writing: one term for one thing in each language, and no tip said twice.

knowledge/glossary.yaml holds, per language, a preferred term and the variants to avoid; every
topic title and answer, tip and referral text is held to it (folded, whole words).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from rapidfuzz import fuzz

from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.yamlio import read_yaml
from bot.lang import LANGS, Lang
from bot.matching.normalise import fold
from bot.problems import KnowledgeError, Problem

DUPLICATE_TIPS = 66  # token-set similarity (0-100) from which two tips of one language say the same


def _texts(kb: KnowledgeBase, lang: Lang) -> Iterator[tuple[Path, tuple[str | int, ...], str]]:
    """(file, key path, text) for everything a worker reads in lang."""
    for tid, topic in kb.topics.items():
        text = topic.text(lang)
        yield kb.topic_files[tid], (lang, "title"), text.title
        yield kb.topic_files[tid], (lang, "answer"), text.answer
    for i, tip in enumerate(kb.tips):
        yield kb.root / "tips.yaml", ("tips", i, lang), tip.text(lang)
    for i, ref in enumerate(kb.referrals.values()):
        for field in ("offers", "notice", "hours"):
            if (value := getattr(ref, field)) is not None:
                yield kb.root / "referrals.yaml", ("referrals", i, field, lang), value.text(lang)
    practice, folder = kb.practice, kb.root / "practice"
    for i, s in enumerate(practice.scenarios):
        yield folder / "scenarios.yaml", ("scenarios", i, lang, "situation"), s.text(lang).situation
        for j, choice in enumerate(s.text(lang).choices):
            yield (
                folder / "scenarios.yaml",
                ("scenarios", i, lang, "choices", j),
                f"{choice.text} {choice.feedback}",
            )
    for i, r in enumerate(practice.reflections):
        yield folder / "reflections.yaml", ("reflections", i, lang), r.text(lang)
    for i, item in enumerate(practice.checklist):
        check = item.text(lang)
        yield folder / "checklist.yaml", ("checklist", i, lang), f"{check.question} {check.next_step}"


def check_glossary(kb: KnowledgeBase) -> Iterator[Problem]:
    path = kb.root / "glossary.yaml"
    if not path.is_file():
        return
    try:
        doc = read_yaml(path)
    except KnowledgeError as exc:
        yield from exc.problems
        return
    data = doc.data if isinstance(doc.data, dict) else {}
    for lang in LANGS:
        rules = []
        for i, entry in enumerate(data.get(lang) or []):
            if not isinstance(entry, dict) or not isinstance(entry.get("use"), str):
                yield Problem(path, doc.line_of((lang, i)), f"{lang}.{i}: needs `use:` and `avoid:` (a list)")
                continue
            for variant in entry.get("avoid") or []:
                pattern = re.compile(rf"(?<![a-z0-9]){re.escape(fold(str(variant)))}(?![a-z0-9])")
                rules.append((pattern, str(variant), entry["use"]))
        for file, key, text in _texts(kb, lang):
            folded = fold(text)
            for pattern, variant, use in rules:
                if pattern.search(folded):
                    yield kb.problem_at(file, key, f"{variant!r}: write {use!r} (glossary.yaml)", "warning")


def check_duplicate_tips(kb: KnowledgeBase) -> Iterator[Problem]:
    tips_file = kb.root / "tips.yaml"
    for lang in LANGS:
        texts = [fold(tip.text(lang)) for tip in kb.tips]
        for i, a in enumerate(texts):
            for j in range(i + 1, len(texts)):
                if fuzz.token_set_ratio(a, texts[j]) >= DUPLICATE_TIPS:
                    yield kb.problem_at(
                        tips_file,
                        ("tips", j, lang),
                        f"says almost what tip {kb.tips[i].id!r} says: make it a different, concrete tip",
                        "warning",
                    )


def _organisation_names(kb: KnowledgeBase) -> dict[str, re.Pattern[str]]:
    """Per referral card: its names as folded whole words, and the official part before " (" or
    " - " when it looks like a name. Not the emergency numbers (a button on every screen) nor a
    card without any contact (it only describes a service, so naming it refers nowhere)."""
    out: dict[str, re.Pattern[str]] = {}
    for ref in kb.referrals.values():
        if ref.kind == "emergency" or not (ref.phone or ref.website or ref.email or ref.address):
            continue
        names = {ref.name, *ref.names.values()}
        names |= {
            head
            for n in list(names)
            if len(head := re.split(r" \(| - | / ", n)[0]) >= 4 and head[0].isupper()
        }
        folded = sorted({fold(n) for n in names if len(fold(n)) >= 3}, key=len, reverse=True)
        out[ref.id] = re.compile("|".join(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])" for n in folded))
    return out


def check_named_cards(kb: KnowledgeBase) -> Iterator[Problem]:
    """An answer that names an organisation lists its card, so "Where to refer" shows it."""
    patterns = _organisation_names(kb)
    for tid, topic in kb.topics.items():
        for lang in LANGS:
            answer = fold(topic.text(lang).answer)
            for ref_id, pattern in patterns.items():
                if ref_id not in topic.referrals and pattern.search(answer):
                    yield kb.problem_at(
                        kb.topic_files[tid],
                        (lang, "answer"),
                        f"names {ref_id!r} but its card is not in `referrals`",
                        "warning",
                    )
