"""The guidebot command as curators, deployers and newcomers use it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.evaluation import FIGURES
from tests.conftest import KNOWLEDGE, ROOT, SHARED, run_bot

BROKEN = Path(__file__).parent / "data" / "broken"


@pytest.fixture
def broken_kb(tmp_path: Path) -> Path:
    """The real knowledge with three broken topic files dropped in."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    shutil.copytree(BROKEN / "topics", target / "topics", dirs_exist_ok=True)
    return target


def test_check_names_file_and_line_and_exits_1(broken_kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--knowledge", str(broken_kb)]) == 1
    err = capsys.readouterr().err
    assert f"{broken_kb}/topics/pronouns-and-names.yaml:16: error: nl.answer: field required" in err
    assert f"{broken_kb}/topics/bad-yaml.yaml:3: error: YAML syntax: mapping values are not allowed" in err
    assert (
        f"{broken_kb}/topics/dup-keys.yaml:3: error: section: duplicate key (the last one would win)" in err
    )
    assert "Traceback" not in err


def test_check_passes_on_the_shipped_knowledge(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    shared = (SHARED / "facts" / "referrals.yaml").is_file() and (SHARED / "spec" / "topics.yaml").is_file()
    # without ../shared the only warnings say what could not be compared
    assert ("0 errors, 0 warnings" if shared else "0 errors, 2 warnings") in err and "49 topics" in err


def test_check_lists_medium_confidence_referrals_to_recheck_unless_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert (
        "info: referrals.19.confidence: cpvs-brussels: medium confidence, due for re-checking: Address and 24/7 confirmed"
        in err
    )
    assert main(["check", "-q"]) == 0
    assert "due for re-checking" not in capsys.readouterr().err


def test_a_dangling_link_and_an_unsourced_number_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    path = target / "topics" / "coming-out.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("related: [", "related: [no-such-topic, ", 1)
    text = text.replace("en:\n  title:", "en:\n  title:", 1)
    lines = text.splitlines()
    answer_line = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    lines.insert(answer_line + 2, "    • Call 02 123 45 67 for advice.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", "--knowledge", str(target)]) == 1
    err = capsys.readouterr().err
    assert "coming-out.yaml:4: error: related.0: no topic 'no-such-topic'" in err
    assert "phone number '02 123 45 67' is not in referrals.yaml" in err


def test_ask_json_gives_decision_emergency_matches_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "client corrected my pronoun, what now"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"lang", "decision", "emergency", "danger", "matches", "text"}
    assert out["decision"] == "answer" and out["emergency"] is False
    assert out["matches"][0]["topic"] == "pronouns-and-names"
    assert out["text"].startswith("Names and pronouns")


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        ("weather tomorrow", "none"),
        ("dosage paracetamol", "none"),
        ("how to renew a residence permit", "none"),
    ],
)
def test_ask_refuses_out_of_scope_questions(
    question: str, decision: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", question]) == 1  # no answer is exit 1, for scripts
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] == decision, out["matches"][:2]
    assert "no reliable answer" in out["text"]


def test_ask_in_french_with_english_interface_answers_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ask", "--json", "--lang", "en", "comment demander poliment ses pronoms à un usager"])
    out = json.loads(capsys.readouterr().out)
    assert out["lang"] == "fr" and out["matches"][0]["topic"] == "pronouns-and-names"


def test_eval_json_has_the_documented_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = tmp_path / "mini.yaml"
    items.write_text(
        '- {q: "pronouns", lang: en, topic: pronouns-and-names}\n'
        '- {q: "weather tomorrow", lang: en, topic: null}\n'
        '- {q: "he has a knife", lang: en, topic: emergency}\n'
        '- {q: "future topic", lang: fr, topic: not-written-yet}\n',
        encoding="utf-8",
    )
    assert main(["eval", str(items), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["by_lang"]) == {"en", "fr", "nl", "pt"}
    overall = report["overall"]
    assert set(FIGURES) <= set(overall)
    assert overall["skipped"] == 1 and overall["oos_refused"] == 1.0 and overall["emergency_recall"] == 1.0
    item = report["items"][0]
    assert set(item) >= {"q", "lang", "expected", "decision", "emergency", "matches"}


def test_eval_reads_folders_alt_lists_danger_flags_and_names_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    split = tmp_path / "split"
    split.mkdir()
    (split / "a.yaml").write_text(
        '- {q: "how do I ask which pronouns someone uses", lang: en, topic: made-a-mistake,'
        " alt: [trans-nonbinary, pronouns-and-names]}\n"
        '- {q: "this form is killing me, where is the name field", lang: en, topic: null, danger: false}\n',
        encoding="utf-8",
    )
    (split / "b.yaml").write_text(
        '- {q: "she is on the bridge railing now", lang: en, topic: emergency, danger: true}\n'
    )
    assert main(["eval", str(split), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    overall = report["overall"]
    assert overall["n"] == 1 and overall["top1"] == 1.0  # right through the alt list
    assert overall["near_miss_n"] == 1 and overall["emergency_n"] == 1
    assert report["items"][0]["alt"] == ["trans-nonbinary", "pronouns-and-names"]
    (split / "c.yaml").write_text(
        '- {q: "ok", lang: en, topic: null}\n- {q: "x", lang: de, topic: null}\n- {q: "y", lang: en, topc: null}\n'
        '- {q: "z", lang: en, topic: null, alt: 3}\n- {q: "w", lang: en, topic: null, danger: "yes"}\n',
        encoding="utf-8",
    )
    assert main(["eval", str(split)]) == 1
    err = capsys.readouterr().err
    assert f"{split}/c.yaml:2: error: item 1: lang: one of en, fr, nl, pt" in err
    assert f"{split}/c.yaml:3: error: item 2: unknown field topc (a typo?)" in err
    assert f"{split}/c.yaml:4: error: item 3: alt: a topic id or a list of topic ids" in err
    assert f"{split}/c.yaml:5: error: item 4: danger: true or false" in err
    assert "Traceback" not in err


def test_console_can_be_scripted_from_stdin() -> None:
    env = {**os.environ, "GUIDEBOT_TELEGRAM_TOKEN": ""}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="help\n1\nclient corrected my pronoun\nquit\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "How to use guidebot" in result.stdout
    assert "[1] 🩺 Health" in result.stdout
    assert "Health: choose a topic" in result.stdout  # pressing [1] opened the health menu
    assert "Names and pronouns" in result.stdout
    assert "<b>" not in result.stdout


def test_run_without_token_says_so_in_one_line(tmp_path: Path) -> None:
    result = run_bot(["run"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: GUIDEBOT_TELEGRAM_TOKEN is not set: get a token from @BotFather and set it (see README)."
    ]


def test_the_core_never_imports_telegram() -> None:
    code = "import sys; from bot.core.core import Core; from bot.cli import main; print('telegram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"
