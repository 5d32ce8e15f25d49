"""Practice modes end to end: a run of scenarios, a reflection, the managers' checklist."""

from __future__ import annotations

import io
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.adapters.console import run_console
from bot.adapters.telegram.flood import FloodGuard
from bot.core.actions import PracticeStep, StartChecklist, StartPractice
from bot.core.core import Core
from bot.core.replies import Input, KeepRun
from bot.knowledge.checks import run_checks
from bot.knowledge.loader import load_knowledge
from bot.knowledge.practice import RUN_LENGTH
from tests.botapi_stub import BotApiStub, Call
from tests.conftest import KNOWLEDGE, Chat, RunningBot

NEXT = {"en": "Next situation", "fr": "Situation suivante"}
SUMMARY = {"en": "See the summary", "fr": "Voir le résumé"}
DONE = {"en": "Practice done", "fr": "Exercice terminé"}


@pytest.fixture(autouse=True)
def _quick_taps(request: pytest.FixtureRequest) -> None:
    """A whole run in a second: far faster than a person taps, so the flood guard steps aside."""
    if "running_bot" in request.fixturenames:
        request.getfixturevalue("running_bot").guide().flood = FloodGuard(burst=1000.0)


def choices(call: Call) -> list[dict[str, str]]:
    return [b for b in call.buttons() if b["callback_data"].split("|")[1].startswith("p:")]


@pytest.mark.parametrize(("lang", "service"), [("en", "police"), ("fr", "health")])
async def test_a_whole_practice_run_of_five_situations(
    running_bot: RunningBot, stub: BotApiStub, lang: str, service: str
) -> None:
    chat = Chat(stub, stub.user(7100 + len(lang + service), lang))
    menu = await chat.send("/practice")
    start = menu.button(running_bot.guide().core.kb.services[service].label.text(lang))
    screen = await chat.press(start["callback_data"])
    for n in range(1, RUN_LENGTH + 1):
        assert f"{n}/{RUN_LENGTH}" in screen.text
        options = choices(screen)
        assert 3 <= len(options) <= 4
        feedback = await chat.press(options[n % len(options)]["callback_data"])
        assert any(mark in feedback.text for mark in ("✅", "🟡", "❌")) and "📖" in " ".join(
            feedback.button_labels()
        )
        screen = await chat.press(
            feedback.button(NEXT[lang] if n < RUN_LENGTH else SUMMARY[lang])["callback_data"]
        )
    assert DONE[lang] in screen.text
    marks = sum(int(part.split()[1]) for part in screen.text.split("\n")[1].split(" · "))
    assert marks == RUN_LENGTH
    assert chat.chat_id not in running_bot.guide().runs  # the run is gone once finished
    with sqlite3.connect(running_bot.db_path) as db:
        rows = db.execute(
            "SELECT event, service, n FROM counts WHERE event LIKE 'practice%' ORDER BY event"
        ).fetchall()
    assert rows == [("practice_finished", service, 1), ("practice_started", service, 1)]


async def test_forged_stale_and_expired_buttons_mid_run(running_bot: RunningBot, stub: BotApiStub) -> None:
    chat = Chat(stub, stub.user(7200, "en"))
    screen = await chat.press("en|P")  # a mix
    first = choices(screen)[0]["callback_data"]
    feedback = await chat.press(first)
    forged = await chat.press("en|p:abcdef:1:0")  # well formed, another run's token
    assert "expired" in forged.text
    garbage = await chat.press("en|p:not-hex:1:0", method="sendMessage")  # not a button the bot makes
    assert "expired" in garbage.text.lower()
    again = await chat.press(first)  # the first answer pressed twice: where the run is now
    assert "1/5" in again.text or "2/5" in again.text
    nxt = await chat.press(feedback.button(NEXT["en"])["callback_data"])
    assert "2/5" in nxt.text  # the run went on after all that
    running_bot.guide().runs.clear()  # what a restart of the bot leaves in memory
    expired = await chat.press(choices(nxt)[0]["callback_data"])
    assert "expired" in expired.text and "restart" in expired.text
    assert any(b["callback_data"].startswith("en|P") for b in expired.buttons())  # start again: one tap


async def test_the_checklist_gives_three_next_steps_to_forward(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    items = running_bot.guide().core.kb.practice.checklist
    assert 12 <= len(items) <= 15
    chat = Chat(stub, stub.user(7300, "fr"))
    screen = await chat.send("/checklist")
    for n in range(len(items)):
        assert f"{n + 1}/{len(items)}" in screen.text
        answer = ("Oui", "En partie", "Non")[n % 3]
        method = "sendMessage" if n + 1 == len(items) else "editMessageText"  # the summary stands alone
        screen = await chat.press(screen.button(answer)["callback_data"], method=method)
    assert "% du chemin" in screen.text and "Transférez" in screen.text
    steps = [line for line in screen.text.split("\n") if line[:2] in ("1.", "2.", "3.")]
    assert len(steps) == 3 and len([b for b in screen.button_labels() if b.startswith("📖")]) == 3


async def test_a_reflection_a_day_the_same_for_everyone(
    running_bot: RunningBot, stub: BotApiStub, core: Core
) -> None:
    one = await Chat(stub, stub.user(7400, "nl")).send("/reflect")
    two = await Chat(stub, stub.user(7401, "nl")).send("/reflect")
    assert one.text == two.text and "📖" in one.button_labels()[0]
    days = {core.reflection("en", date(2026, 12, d)).html for d in range(1, 8)}
    assert len(days) == 7 and len(core.kb.practice.reflections) >= 60


def test_the_console_runs_the_three_modes(core: Core) -> None:
    script = "/practice\n6\n1\n2\n/reflect\n/checklist\n1\n3\n2\nquit\n"
    out = io.StringIO()
    run_console(core, "en", io.StringIO(script), out)
    text = out.getvalue()
    assert "Practice 1/5" in text and "You chose:" in text and "Practice 2/5" in text
    assert "Today's reflection" in text and "Question 4/" in text


def test_runs_pick_five_scenarios_of_the_service_and_check_validates_links(
    core: Core, tmp_path: Path
) -> None:
    reply = core.respond(Input("pt", action=StartPractice("housing")))
    run = next(e.run for e in reply.effects if isinstance(e, KeepRun))
    assert len(run.items) == RUN_LENGTH and {core.kb.practice.scenarios[i].service for i in run.items} == {
        "housing"
    }
    assert (
        core.respond(Input("pt", action=PracticeStep(run.token, 0, 9), run=run)).kind == "practice"
    )  # no 10th choice
    assert core.respond(Input("en", action=StartChecklist())).kind == "practice"
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    path = knowledge / "practice" / "scenarios.yaml"
    first_topic = core.kb.practice.scenarios[0].topic
    path.write_text(
        path.read_text(encoding="utf-8").replace(f"topic: {first_topic}", "topic: no-such-topic", 1),
        encoding="utf-8",
    )
    problems = run_checks(load_knowledge(knowledge), None)
    assert any("no topic 'no-such-topic'" in p.message and p.file == path and p.line > 1 for p in problems)


async def test_daily_subscribers_choose_tips_reflections_or_both(
    running_bot: RunningBot, stub: BotApiStub
) -> None:
    from datetime import timedelta

    from bot.adapters.telegram.tips import broadcast
    from bot.core.daily import brussels_now

    chat = Chat(stub, stub.user(7500, "en"))
    offer = await chat.send("/daily")
    on = await chat.press(offer.button("08:00")["callback_data"])
    assert "Tips" in on.text and {"🪞 Reflections", "💡🪞 Both"} <= set(on.button_labels())
    both = await chat.press(on.button("Both")["callback_data"])
    assert "Both" in both.text and "💡 Tips" in both.button_labels()
    assert (await running_bot.storage.subscription(7500)).content == "both"  # type: ignore[union-attr]
    tomorrow = brussels_now().replace(hour=8, minute=0) + timedelta(days=1)
    before = stub.count("sendMessage")
    await broadcast(running_bot.guide(), running_bot.app.bot, tomorrow)
    sent = await stub.next_call("sendMessage", after=before, chat_id=7500)
    assert (
        "Today's reflection" in sent.text and sent.text.index("Today's reflection") > 10
    )  # the tip, then the question
