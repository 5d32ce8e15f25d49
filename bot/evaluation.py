"""Scores the matcher on a labelled question set (guidebot eval)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.core import Core
from bot.core.replies import Input
from bot.knowledge.yamlio import read_yaml
from bot.lang import LANGS, Lang
from bot.matching.matcher import EMERGENCY_TOPIC, Match
from bot.problems import KnowledgeError, Problem


@dataclass(frozen=True, slots=True)
class Item:
    q: str
    lang: Lang
    topic: str | None
    alt: tuple[str, ...] = ()
    danger: bool | None = None  # None: a danger message when the topic is the emergency one

    @property
    def is_danger(self) -> bool:
        return self.danger if self.danger is not None else self.topic == EMERGENCY_TOPIC


_FIELDS = {"q", "lang", "topic", "alt", "danger"}


def _item(raw: object, i: int) -> Item | str:
    """An item, or what is wrong with it."""
    if not isinstance(raw, dict):
        return f"item {i}: expected a mapping {{q, lang, topic, alt?, danger?}}"
    if unknown := sorted(set(map(str, raw)) - _FIELDS):
        return f"item {i}: unknown field {', '.join(unknown)} (a typo?)"
    if not isinstance(raw.get("q"), str) or not raw["q"].strip():
        return f"item {i}: q: needs the question text"
    if raw.get("lang") not in LANGS:
        return f"item {i}: lang: one of {', '.join(LANGS)}"
    if "topic" not in raw:
        return f"item {i}: topic: field required (null = out of scope)"
    if raw["topic"] is not None and not isinstance(raw["topic"], str):
        return f"item {i}: topic: a topic id or null"
    alt = raw.get("alt")
    alts = () if alt is None else (alt,) if isinstance(alt, str) else alt
    if not isinstance(alts, list | tuple) or not all(isinstance(a, str) for a in alts):
        return f"item {i}: alt: a topic id or a list of topic ids"
    danger = raw.get("danger")
    if danger is not None and not isinstance(danger, bool):
        return f"item {i}: danger: true or false"
    return Item(raw["q"], raw["lang"], raw["topic"], tuple(alts), danger)


def load_items(path: Path) -> list[Item]:
    """Items of one YAML file, or of every YAML file in a folder; malformed input -> file:line problems."""
    if path.is_dir():
        files = sorted(path.glob("*.y*ml"))
        if not files:
            raise KnowledgeError([Problem(path, 1, "no .yaml files in this folder")])
        return [item for f in files for item in load_items(f)]
    doc = read_yaml(path)
    if not isinstance(doc.data, list):
        raise KnowledgeError([Problem(path, 1, "expected a list of {q, lang, topic, alt?, danger?}")])
    items: list[Item] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc.data):
        got = _item(raw, i)
        if isinstance(got, str):
            problems.append(Problem(path, doc.line_of((i,)), got))
        else:
            items.append(got)
    if problems:
        raise KnowledgeError(problems)
    return items


def run_item(core: Core, item: Item) -> dict[str, Any]:
    reply = core.respond(Input(item.lang, text=item.q))  # scored as a user gets it
    match = reply.match or Match(reply.lang, "none", False)
    return {
        "q": item.q,
        "lang": item.lang,
        "expected": item.topic,
        "alt": list(item.alt),
        "danger": item.is_danger,
        "near_miss": item.danger is False,
        "decision": reply.decision,
        "emergency": match.emergency,
        "matches": [{"topic": t, "score": s} for t, s in match.matches[:3]],
    }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def figures(results: list[dict[str, Any]], skipped: int) -> dict[str, Any]:
    # Topic figures leave danger messages out: for them, only "emergency first" counts.
    in_scope = [r for r in results if r["expected"] is not None and not r["danger"]]
    oos = [r for r in results if r["expected"] is None]
    danger = [r for r in results if r["danger"]]
    calm = [r for r in results if not r["danger"]]
    near = [r for r in results if r["near_miss"]]

    def ok(r: dict[str, Any], k: int) -> bool:
        wanted = {r["expected"], *r["alt"]} - {None}
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
        # Only the emergency page counts: a "did you mean" with an emergency button is no recall (the
        # matcher itself flags a question that lands confidently on the emergency topic).
        "emergency_recall": _rate(sum(bool(r["emergency"]) for r in danger), len(danger)),
        "false_alarms": _rate(sum(r["emergency"] for r in calm), len(calm)),
        "near_miss_n": len(near),
        "near_miss_alarms": _rate(sum(r["emergency"] for r in near), len(near)),
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
            r["decision"] != "none"
            and r["matches"]
            and r["matches"][0]["topic"] in {r["expected"], *r["alt"]}
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
    "answer_precision",
    "oos_n",
    "oos_refused",
    "in_scope_refused",
    "emergency_n",
    "emergency_recall",
    "near_miss_n",
    "near_miss_alarms",
    "false_alarms",
    "skipped",
)
_SHORT = {
    "answer_precision": "ans_prec",
    "oos_refused": "oos_ref",
    "in_scope_refused": "in_ref",
    "emergency_n": "danger_n",
    "emergency_recall": "danger",
    "near_miss_n": "near_n",
    "near_miss_alarms": "near_FA",
    "false_alarms": "all_FA",
}


def format_table(report: dict[str, Any]) -> str:
    cols = FIGURES
    head = f"{'':8}" + "".join(f"{_SHORT.get(c, c):>9}" for c in cols)
    rows = [head]
    for name, fig in [*report["by_lang"].items(), ("overall", report["overall"])]:
        cells = []
        for c in cols:
            v = fig[c]
            cells.append(f"{v:>9.1%}" if isinstance(v, float) else f"{v:>9}")
        rows.append(f"{name:8}" + "".join(cells))
    rows.append("")
    rows.append(f"{'section':12}{'n':>6}{'top1':>8}{'top3':>8}{'refused':>9}")
    for name, fig in report.get("by_section", {}).items():
        rows.append(
            f"{name:12}{fig['n']:>6}{fig['top1']:>8.1%}{fig['top3']:>8.1%}{fig['in_scope_refused']:>9.1%}"
        )
    rows.append("")
    rows.append("top1: right topic served (answer or first choice offered); ans_prec: direct answers right;")
    rows.append("danger: danger messages with the emergency numbers first; near_FA / all_FA: alarms on")
    rows.append("calm near-misses / on every calm item.")
    rows.append("")
    rows.append("worst confusions (expected -> got):")
    for c in report["confusions"][:10]:
        rows.append(f"  {c['count']:3} x {c['expected']} -> {c['got']}")
    return "\n".join(rows)
