"""Checks of the danger corpus and lexicon: enough messages, no contradictions, a quiet lexicon."""

from __future__ import annotations

from collections.abc import Iterator

from bot.knowledge.loader import KnowledgeBase
from bot.lang import LANGS
from bot.matching.normalise import fold
from bot.problems import Problem

MIN_DANGER = 150  # per language and kind (danger, calm), over all corpus files


def check_danger(kb: KnowledgeBase) -> Iterator[Problem]:
    """The danger corpus: enough messages per language, none both danger and calm, lexicon quiet on calm."""
    from bot.matching.lexicon import Lexicon

    folder = kb.root / "danger"
    if not kb.danger:
        yield Problem(folder, 1, "no danger corpus: only the lexicon will detect danger", "warning")
        return
    lexicon = Lexicon(kb.lexicon)
    lex_path = kb.root / "danger-lexicon.yaml"
    for i, concept in enumerate(kb.lexicon.sure if kb.lexicon else ()):
        if missing := [lang for lang in LANGS if kb.lexicon and concept not in kb.lexicon.text(lang)]:
            yield kb.problem_at(lex_path, ("sure", i), f"{concept!r} has no phrases in {', '.join(missing)}")
    fired: dict[str, int] = {}
    for lang in LANGS:
        seen: dict[str, str] = {}
        for f in kb.danger:
            path = kb.danger_files[f.author]
            ex = f.text(lang)
            for kind, texts in (("danger", ex.danger), ("calm", ex.calm)):
                for i, text in enumerate(texts):
                    key = fold(text)
                    other = seen.setdefault(key, kind)
                    if other != kind:
                        yield kb.problem_at(
                            path, (lang, kind, i), f"also written as a {other} message elsewhere"
                        )
                    if kind == "calm" and (hit := lexicon.find(text, (lang,))):
                        fired[f"{lang}: {hit[1]}"] = fired.get(f"{lang}: {hit[1]}", 0) + 1
        for kind in ("danger", "calm"):
            n = sum(len(getattr(f.text(lang), kind)) for f in kb.danger)
            if n < MIN_DANGER:
                yield Problem(folder, 1, f"{lang}: {n} {kind} messages, fewer than {MIN_DANGER}", "warning")
    for phrase, n in sorted(fired.items()):
        yield Problem(
            lex_path,
            1,
            f"lexicon phrase {phrase!r} matches {n} calm corpus message(s): is it specific enough?",
            "info",
        )
