"""The curators' report: one self-contained HTML page (charts inline as SVG) and CSV files.

Charts are drawn by matplotlib (SVG, text kept as text), so the page opens offline and reads on a
phone. Every number shown comes from the anonymous counts; a cell under SMALL events shows "<3",
and a chart draws it as 0. Unanswered questions are grouped by the matcher's own encoder.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.knowledge.loader import KnowledgeBase
from bot.lang import LANGS
from bot.stats import SMALL, CountRow, Question

TYPED = ("answered", "clarified", "unanswered", "emergency")  # what a typed message can become
RECHECK_DAYS = 182  # a referral checked longer ago than this is due again
SIMILAR = 0.6  # cosine above which two unanswered questions are one group
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, small, crisp on a phone
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def shown(n: int) -> str:
    return f"<{SMALL}" if 0 < n < SMALL else str(n)


def week(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Data:
    counts: list[CountRow]
    questions: list[Question]
    kb: KnowledgeBase
    today: date

    def total(self, *events: str) -> Counter[tuple[date, str]]:
        """(week, language) -> events."""
        out: Counter[tuple[date, str]] = Counter()
        for r in self.counts:
            if r.event in events:
                out[(week(r.day), r.lang)] += r.n
        return out

    def weeks(self) -> list[date]:
        days = [r.day for r in self.counts] or [self.today]
        first, last = week(min(days)), week(max(days))
        return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    svg = text[text.index("<svg") :]
    start, end = svg.find("<metadata>"), svg.find("</metadata>")
    return svg[:start] + svg[end + len("</metadata>") :] if start >= 0 < end else svg


def _axes(title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(6.4, 3.2))  # no pyplot: no global state, no GUI backend
    ax = fig.subplots()
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _labels(weeks: Sequence[date]) -> list[str]:
    return [f"{w:%d %b}" for w in weeks]  # the Monday of each week


def _small(n: int) -> int:
    return n if n >= SMALL else 0


def chart_questions(data: Data) -> str:
    fig, ax = _axes("Questions per week, by language")
    weeks, totals = data.weeks(), data.total(*TYPED)
    for lang in LANGS:
        ax.plot(_labels(weeks), [_small(totals[(w, lang)]) for w in weeks], marker="o", label=lang)
    ax.legend(title="language", fontsize=8)
    fig.autofmt_xdate()
    return _svg(fig)


def chart_outcomes(data: Data) -> str:
    fig, ax = _axes("What typed questions got, per week (share)")
    weeks = data.weeks()
    per = {event: data.total(event) for event in TYPED}
    bottom = np.zeros(len(weeks))
    for event in TYPED:
        shares = []
        for w in weeks:
            whole = sum(per[e][(w, lang)] for e in TYPED for lang in LANGS)
            part = sum(per[event][(w, lang)] for lang in LANGS)
            shares.append(part / whole if whole >= SMALL else 0.0)
        ax.bar(_labels(weeks), shares, width=0.8, bottom=bottom, label=event)
        bottom += np.array(shares)
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return _svg(fig)


def chart_emergencies(data: Data) -> str:
    fig, ax = _axes("Emergency numbers shown, per week")
    weeks, totals = data.weeks(), data.total("emergency")
    ax.bar(
        _labels(weeks),
        [_small(sum(totals[(w, lang)] for lang in LANGS)) for w in weeks],
        width=0.8,
        label="emergency",
    )
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return _svg(fig)


def helpful(data: Data) -> list[tuple[str, int, int]]:
    """(topic, 👍, 👎), most votes first."""
    up: Counter[str] = Counter()
    down: Counter[str] = Counter()
    for r in data.counts:
        if r.event == "vote_up":
            up[r.topic] += r.n
        elif r.event == "vote_down":
            down[r.topic] += r.n
    topics = sorted(set(up) | set(down), key=lambda t: -(up[t] + down[t]))
    return [(t, up[t], down[t]) for t in topics]


def chart_helpful(data: Data) -> str:
    rows = [(t, u, d) for t, u, d in helpful(data) if u + d >= SMALL][:12]
    fig, ax = _axes("Helpful ratio per topic (topics with 3 votes or more)")
    names = [f"{t} ({u + d})" for t, u, d in rows]
    ax.barh(names, [u / (u + d) for _, u, d in rows], label="share helpful")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.legend(fontsize=8)
    return _svg(fig)


def top_topics(data: Data) -> dict[str, Counter[tuple[str, str]]]:
    """service ("" typed or pressed) -> (topic, lang) -> times shown."""
    out: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for r in data.counts:
        if r.event == "shown":
            out[r.service][(r.topic, r.lang)] += r.n
    return out


def groups(questions: Sequence[Question], embed: Embed) -> list[list[Question]]:
    """Unanswered questions that mean the same thing, biggest group first."""
    if not questions:
        return []
    vectors = embed([q.text for q in questions])
    heads: list[int] = []
    members: dict[int, list[Question]] = {}
    for i, q in enumerate(questions):
        best = max(heads, key=lambda h: float(vectors[h] @ vectors[i]), default=None)
        if best is not None and float(vectors[best] @ vectors[i]) >= SIMILAR:
            members[best].append(q)
        else:
            heads.append(i)
            members[i] = [q]
    return sorted(members.values(), key=len, reverse=True)


def due_for_recheck(kb: KnowledgeBase, today: date) -> list[tuple[str, date, str]]:
    due = [
        (r.id, r.checked, r.confidence)
        for r in kb.referrals.values()
        if r.confidence == "medium" or (today - r.checked).days > RECHECK_DAYS
    ]
    return sorted(due, key=lambda x: x[1])
