"""The curators' report, from a scripted console session to what a browser draws."""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.adapters.console import Recorder, run_console
from bot.cli_curator import cmd_report
from bot.config import Settings
from bot.core.core import Core

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# A worker's session: questions in two languages, votes, a no-answer sent on, an emergency.
SESSION = """how do I ask about pronouns
8
what is a safer space
9
1
zzkq vlorp mmbx, my name is Quillandrix
1
my colleague says the resident is on the roof and wants to jump
/language
2
comment parler des pronoms
8
"""
CHARTS = ("questions", "outcomes", "emergencies", "helpful")


def shift(core: Core, db_path: Path, times: int = 3) -> str:
    recorder = Recorder(db_path)
    try:
        out = io.StringIO()
        for _ in range(times):
            run_console(core, "en", io.StringIO(SESSION + "quit\n"), out, record=recorder)
        return out.getvalue()
    finally:
        recorder.close()


def test_a_console_shift_fills_every_section_of_the_report(core: Core, tmp_path: Path) -> None:
    db = tmp_path / "g.sqlite3"
    transcript = shift(core, db)
    assert "Sent, thank you" in transcript and "[name]" in transcript
    cmd_report(
        argparse.Namespace(since=None, out=tmp_path / "r.html", csv=tmp_path / "csv"), Settings(db_path=db)
    )
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert not re.search(
        r"(src|href)=.(https?:)?//|<script|<link|@import", html
    )  # nothing to fetch: opens offline
    for name in CHARTS:
        figure = re.search(rf'<figure id="chart-{name}".*?</figure>', html, re.S)
        assert figure and "<path" in figure.group() and 'id="legend_1"' in figure.group(), name
    assert "zzkq vlorp mmbx, my name is [name]" in html and "Quillandrix" not in html
    assert "pronouns-and-names" in html and "&lt;3" not in html.split("Top topics")[1].split("</table>")[0]
    rows = (tmp_path / "csv" / "counts.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "day,event,topic,lang,service,n" and any(
        ",vote_up,pronouns-and-names,en,,3" in r for r in rows
    )


def test_small_counts_show_as_less_than_three(core: Core, tmp_path: Path) -> None:
    db = tmp_path / "g.sqlite3"
    shift(core, db, times=1)
    cmd_report(
        argparse.Namespace(since=None, out=tmp_path / "r.html", csv=tmp_path / "csv"), Settings(db_path=db)
    )
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    helpful = html.split("<h2>Helpful answers</h2>")[1].split("</table>")[0]
    assert '<td>pronouns-and-names</td><td class="n">&lt;3</td>' in helpful
    assert ",<3" in (tmp_path / "csv" / "counts.csv").read_text(encoding="utf-8")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium; .ci/run installs it)")
def test_the_report_draws_its_charts_in_a_browser_on_a_phone_width(core: Core, tmp_path: Path) -> None:
    db = tmp_path / "g.sqlite3"
    shift(core, db)
    page = tmp_path / "report.html"
    cmd_report(argparse.Namespace(since=None, out=page, csv=None), Settings(db_path=db))
    assert CHROMIUM is not None
    browser = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--window-size=390,2600",
    ]
    dom = subprocess.run(
        [*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    for name in CHARTS:  # what the browser parsed: each chart an SVG with drawn paths and a legend
        figure = re.search(rf'<figure id="chart-{name}".*?</figure>', dom, re.S)
        assert figure and figure.group().count("<path") >= 3 and "legend_1" in figure.group(), name
    shot = tmp_path / "report.png"
    subprocess.run(
        [*browser, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True
    )
    image = Image.open(shot).convert("L")
    assert image.width == 390
    top = image.crop((0, 0, 390, 1400))  # the four charts sit in the first screens
    inked = float((np.asarray(top) < 200).mean())
    assert inked > 0.03, inked  # drawn, not blank
