"""Scores the matcher on a labelled question set (guidebot eval)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.conversation import Core, small_talk
from bot.knowledge.models import LANGS, Lang
from bot.knowledge.yamlio import read_yaml
from bot.matching.matcher import EMERGENCY_TOPIC
from bot.problems import KnowledgeError, Problem


@dataclass(frozen=True, slots=True)
class Item:
    q: str
    lang: Lang
    topic: str | None
    alt: str | None = None


def load_items(path: Path) -> list[Item]:
    doc = read_yaml(path)
    if not isinstance(doc.data, list):
        raise KnowledgeError([Problem(path, 1, "expected a list of {q, lang, topic, alt?}")])
    items: list[Item] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc.data):
        line = doc.line_of((i,))
        if not isinstance(raw, dict) or not isinstance(raw.get("q"), str) or raw.get("lang") not in LANGS:
            problems.append(
                Problem(path, line, f"item {i}: needs q (text) and lang (one of {', '.join(LANGS)})")
            )
            continue
        if "topic" not in raw:
            problems.append(Problem(path, line, f"item {i}: topic: field required (null = out of scope)"))
            continue
        items.append(Item(raw["q"], raw["lang"], raw.get("topic"), raw.get("alt")))
    if problems:
        raise KnowledgeError(problems)
    return items


def run_item(core: Core, item: Item) -> dict[str, Any]:
    match = core.matcher.match(item.q, item.lang)
    decision = match.decision
    if decision != "answer" and not match.emergency and small_talk(item.q):
        decision = "none"
    return {
        "q": item.q,
        "lang": item.lang,
        "expected": item.topic,
        "alt": item.alt,
        "decision": decision,
        "emergency": match.emergency,
        "matches": [{"topic": t, "score": s} for t, s in match.matches[:3]],
    }


def _emergency_first(r: dict[str, Any]) -> bool:
    return bool(r["emergency"]) or (
        r["decision"] != "none" and bool(r["matches"]) and r["matches"][0]["topic"] == EMERGENCY_TOPIC
    )


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def figures(results: list[dict[str, Any]], skipped: int) -> dict[str, Any]:
    in_scope = [r for r in results if r["expected"] is not None]
    oos = [r for r in results if r["expected"] is None]
    danger = [r for r in results if r["expected"] == EMERGENCY_TOPIC]
    calm = [r for r in results if r["expected"] != EMERGENCY_TOPIC]

    def ok(r: dict[str, Any], k: int) -> bool:
        wanted = {r["expected"], r["alt"]} - {None}
        return r["decision"] != "none" and any(m["topic"] in wanted for m in r["matches"][:k])

    answered = [r for r in results if r["decision"] == "answer"]
    return {
        "n": len(in_scope),
        "top1": _rate(sum(ok(r, 1) for r in in_scope), len(in_scope)),
        "top3": _rate(sum(ok(r, 3) for r in in_scope), len(in_scope)),
        "oos_n": len(oos),
        "oos_refused": _rate(sum(r["decision"] == "none" and not r["emergency"] for r in oos), len(oos)),
        "in_scope_refused": _rate(sum(r["decision"] == "none" for r in in_scope), len(in_scope)),
        "emergency_n": len(danger),
        # Shown first counts: a flagged message, or a question that confidently lands on the emergency topic.
        "emergency_recall": _rate(sum(_emergency_first(r) for r in danger), len(danger)),
        "false_alarms": _rate(sum(r["emergency"] for r in calm), len(calm)),
        "answered": _rate(len(answered), len(results)),
        "answer_precision": _rate(sum(ok(r, 1) for r in answered if r["expected"]), len(answered)),
        "skipped": skipped,
    }


def evaluate(core: Core, items: list[Item]) -> dict[str, Any]:
    known = set(core.kb.topics)
    results: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    for item in items:
        wanted = item.topic
        if wanted is not None and wanted not in known:
            skipped[item.lang] += 1
            continue
        results.append(run_item(core, item))
    by_lang = {lang: figures([r for r in results if r["lang"] == lang], skipped[lang]) for lang in LANGS}
    confusions = Counter(
        (r["expected"], r["matches"][0]["topic"] if r["matches"] and r["decision"] != "none" else "(none)")
        for r in results
        if r["expected"] is not None
        and not (
            r["decision"] != "none" and r["matches"] and r["matches"][0]["topic"] in {r["expected"], r["alt"]}
        )
    )
    section_of = {tid: t.section for tid, t in core.kb.topics.items()}
    sections = sorted({section_of[r["expected"]] for r in results if r["expected"]})
    by_section = {
        section: figures([r for r in results if r["expected"] and section_of[r["expected"]] == section], 0)
        for section in sections
    }
    return {
        "overall": figures(results, sum(skipped.values())),
        "by_lang": by_lang,
        "by_section": by_section,
        "confusions": [{"expected": e, "got": g, "count": c} for (e, g), c in confusions.most_common(15)],
        "items": results,
    }


FIGURES = (
    "n",
    "top1",
    "top3",
    "oos_n",
    "oos_refused",
    "in_scope_refused",
    "emergency_n",
    "emergency_recall",
    "false_alarms",
    "skipped",
)


def format_table(report: dict[str, Any]) -> str:
    cols = FIGURES
    head = f"{'':8}" + "".join(f"{c:>17}" for c in cols)
    rows = [head]
    for name, fig in [*report["by_lang"].items(), ("overall", report["overall"])]:
        cells = []
        for c in cols:
            v = fig[c]
            cells.append(f"{v:>17.1%}" if isinstance(v, float) else f"{v:>17}")
        rows.append(f"{name:8}" + "".join(cells))
    rows.append("")
    rows.append(f"{'section':12}{'n':>6}{'top1':>8}{'top3':>8}{'refused':>9}")
    for name, fig in report.get("by_section", {}).items():
        rows.append(
            f"{name:12}{fig['n']:>6}{fig['top1']:>8.1%}{fig['top3']:>8.1%}{fig['in_scope_refused']:>9.1%}"
        )
    rows.append("")
    rows.append("worst confusions (expected -> got):")
    for c in report["confusions"][:10]:
        rows.append(f"  {c['count']:3} x {c['expected']} -> {c['got']}")
    return "\n".join(rows)
