"""The report as one HTML page and as CSV files (bot/report.py computes and draws)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from bot.report import (
    TYPED,
    Data,
    Embed,
    chart_emergencies,
    chart_helpful,
    chart_outcomes,
    chart_questions,
    due_for_recheck,
    groups,
    helpful,
    shown,
    top_topics,
)
from bot.stats import QUESTION_DAYS

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:860px;padding:12px;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}h3{font-size:1em}
figure{margin:0 0 8px}figure svg{width:100%;height:auto}.wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.9em}td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left}
td.n{text-align:right}.note{color:#666;font-size:.85em}
"""


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)

    def cell(c: str) -> str:  # numbers (and "<3") right-aligned; every cell is escaped here
        return (
            f'<td class="n">{escape(c)}</td>'
            if c[:1].isdigit() or c.startswith("<")
            else f"<td>{escape(c)}</td>"
        )

    body = "".join("<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in rows)
    return f'<div class="wrap"><table><tr>{cells}</tr>{body or "<tr><td>none yet</td></tr>"}</table></div>'


def _figure(name: str, svg: str) -> str:
    return f'<figure id="chart-{name}" class="chart">{svg}</figure>'


def render(data: Data, embed: Embed) -> str:
    typed = sum(r.n for r in data.counts if r.event in TYPED)
    first = min((r.day for r in data.counts), default=data.today)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>guidebot report {data.today}</title><style>{STYLE}</style></head><body>",
        f"<h1>guidebot: what workers needed, {first} to {data.today}</h1>",
        f"<p class='note'>Anonymous daily counts only: no person or chat is behind any number. "
        f"{shown(typed)} typed messages. Cells with fewer than 3 events show &lt;3; charts draw them as 0.</p>",
        "<h2>Questions</h2>",
        _figure("questions", chart_questions(data)),
        _figure("outcomes", chart_outcomes(data)),
        "<h2>Emergencies</h2>",
        _figure("emergencies", chart_emergencies(data)),
        "<h2>Helpful answers</h2>",
        _figure("helpful", chart_helpful(data)),
        _table(("topic", "helpful", "not helpful"), ((t, shown(u), shown(d)) for t, u, d in helpful(data))),
        "<h2>Top topics per service and language</h2>",
    ]
    for service, counter in sorted(top_topics(data).items()):
        parts.append(f"<h3>{escape(service or 'typed or pressed (no service menu)')}</h3>")
        by_topic: Counter[str] = Counter()
        for (topic, _), n in counter.items():
            by_topic[topic] += n
        rows = [
            (t, shown(n), *(shown(counter[(t, lang)]) for lang in ("en", "fr", "nl", "pt")))
            for t, n in by_topic.most_common(8)
        ]
        parts.append(_table(("topic", "all", "en", "fr", "nl", "pt"), rows))
    wrong: Counter[str] = Counter()
    for r in data.counts:
        if r.event == "card_wrong":
            wrong[r.topic] += r.n
    parts += [
        "<h2>Referral cards reported wrong</h2>",
        _table(("card", "reports"), ((c, shown(n)) for c, n in wrong.most_common())),
        f"<h2>Unanswered questions sent by workers (last {QUESTION_DAYS} days), grouped</h2>",
        _table(
            ("questions", "languages", "example"),
            (
                (str(len(g)), ", ".join(sorted({q.lang for q in g})), g[0].text)
                for g in groups(data.questions, embed)
            ),
        ),
        "<h2>Referral entries due for re-checking</h2>",
        _table(
            ("referral", "checked", "confidence"),
            ((i, str(d), c) for i, d, c in due_for_recheck(data.kb, data.today)),
        ),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_csv(data: Data, folder: Path) -> list[Path]:
    """counts.csv (small cells as <3) and questions.csv, for a spreadsheet."""
    folder.mkdir(parents=True, exist_ok=True)
    counts, questions = folder / "counts.csv", folder / "questions.csv"
    with counts.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(("day", "event", "topic", "lang", "service", "n"))
        out.writerows((r.day, r.event, r.topic, r.lang, r.service, shown(r.n)) for r in data.counts)
    with questions.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(("id", "day", "lang", "text"))
        out.writerows((q.id, q.day, q.lang, q.text) for q in data.questions)
    return [counts, questions]
