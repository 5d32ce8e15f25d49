"""The curated knowledge: complete, in four languages, and only verified facts."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot import booklet
from bot.adapters.console import run_console
from bot.adapters.telegram import profile
from bot.adapters.telegram.app import ERROR_KEY
from bot.adapters.telegram.buttons import EXPIRED_KEY
from bot.adapters.telegram.flood import FLOOD_KEY
from bot.adapters.telegram.guide import FORWARD_KEY
from bot.adapters.telegram.profile import DESCRIPTION_KEYS
from bot.core.actions import (
    ChecklistStep,
    DailyAt,
    PracticeStep,
    ReportCard,
    SendQuestion,
    SetLanguage,
    StartChecklist,
    StartPractice,
    Vote,
    WhyNot,
)
from bot.core.core import COMMANDS, Core
from bot.core.replies import Input, KeepRun
from bot.core.smalltalk import SmallTalk
from bot.i18n import Strings
from bot.knowledge.checks import ANSWER_WORDS, PHONE, URL, answer_words, phone_key, run_checks
from bot.knowledge.models import SERVICE_IDS, TIP_MAX_CHARS
from bot.lang import LANGS, Lang
from bot.matching.matcher import Match
from tests.conftest import KNOWLEDGE, SHARED

FACTS = SHARED / "facts" / "referrals.yaml"
SPEC = SHARED / "spec" / "topics.yaml"
needs_shared = pytest.mark.skipif(
    not (FACTS.is_file() and SPEC.is_file()),
    reason="needs the team's ../shared (topic spec and verified facts) beside the checkout, as CI has it",
)


def facts() -> dict[str, dict[str, object]]:
    return {o["id"]: o for o in yaml.safe_load(FACTS.read_text(encoding="utf-8"))["organisations"]}


@needs_shared
def test_every_required_topic_exists_in_its_section(core: Core) -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    required = {t["id"]: section for section, topics in spec.items() for t in topics}
    assert len(required) == 49
    assert {tid: t.section for tid, t in core.kb.topics.items()} == required


def test_every_topic_speaks_all_four_languages_with_enough_examples(core: Core) -> None:
    for topic in core.kb.topics.values():
        for lang in LANGS:
            text = topic.text(lang)
            assert text.title and len(text.questions) >= 8 and len(text.keywords) >= 5, (topic.id, lang)
            words = answer_words(text.answer)
            assert ANSWER_WORDS[0] <= words <= ANSWER_WORDS[1], (topic.id, lang, words)


def test_each_service_menu_lists_the_topics_that_belong_to_it(core: Core) -> None:
    for service in SERVICE_IDS:
        listed = set(core.kb.services[service].topics)
        wanted = {tid for tid, t in core.kb.topics.items() if service in t.service_ids()}
        assert listed == wanted, service
    assert "police-hate-crime" not in core.kb.services["health"].topics


@needs_shared
def test_referral_directory_holds_every_high_and_medium_fact_and_nothing_else(core: Core) -> None:
    known = facts()
    eligible = {k for k, v in known.items() if v["confidence"] in ("high", "medium")}
    assert set(core.kb.referrals) == eligible
    for ref in core.kb.referrals.values():
        fact = known[ref.id]
        for field in ("phone", "address", "website", "email"):
            assert getattr(ref, field) == fact[field], (ref.id, field)
        assert ref.source == fact["source"] and str(ref.checked) == str(fact["checked"])
        assert ref.confidence == fact["confidence"]


@needs_shared
def test_no_phone_number_address_or_website_in_knowledge_that_is_not_in_the_facts_file() -> None:
    text = FACTS.read_text(encoding="utf-8")
    known_phones = {phone_key(m) for m in re.findall(r"\+?\d[\d .\-/()]{1,20}\d", text)}
    known_phones |= {p.lstrip("0") for p in known_phones}
    known_hosts = {
        re.sub(r"^(https?://)?(www\.)?", "", u).split("/")[0].lower()
        for u in re.findall(r"https?://[^\s\"';]+", text)
    }
    known_hosts |= {h for h in re.findall(r"\b[a-z0-9-]+\.(?:be|org|eu|com|net)\b", text.lower())}
    streets = re.compile(
        r"\b(rue|chaussée|avenue|boulevard|place|straat|laan|plein|steenweg)\s+[^\n,]{2,40}\d+(?![\d%])", re.I
    )
    fact_text = text.lower()
    problems = []
    for path in sorted(KNOWLEDGE.rglob("*.yaml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip().startswith(("source:", "curator_note:", "#")):
                continue  # provenance for curators, copied verbatim from the facts file
            for m in PHONE.finditer(line):
                key = phone_key(m.group())
                if key not in known_phones and key.lstrip("0") not in known_phones:
                    problems.append(f"{path.name}:{n}: phone {m.group()!r}")
            for m in URL.finditer(line):
                host = re.sub(r"^(https?://)?(www\.)?", "", m.group()).split("/")[0].lower().rstrip(".")
                if host not in known_hosts and "@" not in line[max(0, m.start() - 40) : m.start()]:
                    problems.append(f"{path.name}:{n}: website {m.group()!r}")
            for m in streets.finditer(line):
                if m.group().lower() not in fact_text:
                    problems.append(f"{path.name}:{n}: address {m.group()!r}")
    assert problems == []


def test_tips_cover_three_months_every_topic_and_four_languages(core: Core) -> None:
    tips = core.kb.tips
    assert len(tips) >= 90
    assert len({t.id for t in tips}) == len(tips)
    assert {t.topic for t in tips} == set(core.kb.topics)
    for tip in tips:
        for lang in LANGS:
            assert 20 <= len(tip.text(lang)) <= TIP_MAX_CHARS, (tip.id, lang)


@needs_shared
def test_curator_check_passes_with_no_errors_or_warnings(core: Core) -> None:
    problems = run_checks(core.kb, core.strings, SPEC, FACTS)
    assert [str(p) for p in problems if p.severity != "info"] == []


def test_medium_confidence_referrals_are_listed_for_rechecking_with_the_facts_note(core: Core) -> None:
    notes = [p for p in run_checks(core.kb, None) if "due for re-checking" in p.message]
    mediums = [r for r in core.kb.referrals.values() if r.confidence == "medium"]
    assert len(notes) == len(mediums) > 0
    assert any("digit swap" in p.message for p in notes if "transgender-infopunt" in p.message)


@pytest.mark.parametrize("lang", LANGS)
def test_every_ui_string_exists_in_every_language(core: Core, lang: str) -> None:
    assert set(core.strings.messages[lang]) == set(core.strings.messages["en"])


def walk_practice(core: Core, lang: Lang) -> None:
    """Whole practice runs and checklists, an expired button, the daily choices, no content."""
    from dataclasses import replace

    from bot.knowledge.practice import Practice

    for start, answer in (
        (StartPractice(), 1),
        (StartPractice(), -1),
        (StartChecklist(), 1),
        (StartChecklist(), 2),
    ):
        reply = core.respond(Input(lang, action=start))
        run = next(e.run for e in reply.effects if isinstance(e, KeepRun))
        while len(run.answers) < len(run.items):
            step = len(run.answers)
            if run.kind == "practice":
                choices = core.kb.practice.scenarios[run.items[step]].text(lang).choices
                best = next(i for i, c in enumerate(choices) if c.grade == "good")  # -1: the good answer
                reply = core.respond(
                    Input(lang, action=PracticeStep(run.token, step, best if answer < 0 else answer), run=run)
                )
            else:
                reply = core.respond(Input(lang, action=ChecklistStep(run.token, step, answer), run=run))
            run = next((e.run for e in reply.effects if isinstance(e, KeepRun)), run)
            if run.kind == "checklist" and not any(isinstance(e, KeepRun) for e in reply.effects):
                break  # the summary ended it
        if run.kind == "practice":
            core.respond(Input(lang, action=PracticeStep(run.token, len(run.items)), run=run))
    core.respond(Input(lang, action=PracticeStep("abcdef", 0)))
    core.respond(Input(lang, command="reflect"))
    core.daily_reply(lang, "both", date(2026, 12, 2))
    core.respond(Input(lang, action=DailyAt(8, "both")))
    Core(replace(core.kb, practice=Practice()), core.strings, core.matcher).practice_menu(lang)


def test_the_catalogs_hold_exactly_the_strings_the_code_uses(
    core: Core, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The key set comes from running the code (every screen, command and kind of answer), not a regex."""
    used: set[str] = set()
    real = Strings.t

    def recording(self: Strings, lang: Lang, key: str, **values: object) -> str:
        used.add(key)
        return real(self, lang, key, **values)

    monkeypatch.setattr(Strings, "t", recording)
    monkeypatch.setattr(core, "_cards", {})  # cards are cached: build them again
    SmallTalk.from_strings(core.strings)
    for lang in LANGS:
        list(core.every_screen())
        for name in (*COMMANDS, "frobnicate"):
            core.respond(Input(lang, command=name, subscribed_hour=8))
            core.respond(Input(lang, command=name))
        for text in (
            "he has a knife and is kicking the door in",
            "weather tomorrow",
            "hi",
            "thanks",
            "help",
            "comment demander les pronoms",
            "",
            "pronouns " * 200,
        ):
            core.respond(Input(lang, text=text))
        core.respond(Input(lang, action=SetLanguage(lang)))
        for action in (Vote("coming-out", True), WhyNot("coming-out", "not_mine"), SendQuestion()):
            core.respond(Input(lang, action=action, asked="a question"))
        core.respond(Input(lang, action=SendQuestion()))
        core.respond(Input(lang, action=ReportCard("refer-violence-support", 0)))
        core.store_unavailable(lang, sending=True)
        walk_practice(core, lang)
        core.share_reply("coming-out", lang)
        profile.commands(core, lang)
        run_console(core, lang, io.StringIO(""), io.StringIO())
        booklet.build(core, lang, "police", "guide_bot", tmp_path / f"{lang}.pdf", date(2026, 12, 2))
    unsure = Match("en", "clarify", False, (("coming-out", 0.3), ("autonomy", 0.28)))
    alarm = Match("en", "answer", True, (("emergency", 0.9), ("coming-out", 0.5)))
    for match in (unsure, alarm):
        monkeypatch.setattr(core.matcher, "match", lambda *_, m=match, **__: m)
        core.respond(Input("en", text="a question"))
    used |= {FLOOD_KEY, EXPIRED_KEY, ERROR_KEY, FORWARD_KEY, *DESCRIPTION_KEYS}
    assert set(core.strings.messages["en"]) - used == set(), "unused msgids: remove them"
    assert used - set(core.strings.messages["en"]) == set(), "strings the code asks for but no catalog has"


def test_glossary_variants_and_near_duplicate_tips_are_warned_at_their_line(tmp_path: Path) -> None:
    import shutil

    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.style_checks import check_duplicate_tips, check_glossary

    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    (root / "glossary.yaml").write_text(
        'en:\n  - use: "name and pronouns"\n    avoid: ["PRONOUNS"]\n', "utf-8"
    )
    tips = (root / "tips.yaml").read_text("utf-8").splitlines()
    first_en = next(i for i, line in enumerate(tips) if line.strip().startswith("en:"))
    second_en = next(i for i, line in enumerate(tips) if line.strip().startswith("en:") and i > first_en)
    tips[second_en] = tips[first_en]  # the second tip now says what the first says, in English
    (root / "tips.yaml").write_text("\n".join(tips) + "\n", "utf-8")
    kb = load_knowledge(root)
    glossary = list(check_glossary(kb))
    pronouns = [p for p in glossary if p.file == kb.topic_files["pronouns-and-names"]]
    assert pronouns and all(p.severity == "warning" and p.line > 1 for p in pronouns)
    assert "'PRONOUNS': write 'name and pronouns' (glossary.yaml)" in pronouns[0].message
    duplicates = [p for p in check_duplicate_tips(kb) if p.file == root / "tips.yaml"]
    assert any(p.line == second_en + 1 and kb.tips[0].id in p.message for p in duplicates)


def test_an_answer_naming_an_organisation_without_its_card_is_warned(tmp_path: Path) -> None:
    import shutil

    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.style_checks import check_named_cards

    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "topics" / "coming-out.yaml"
    text = path.read_text("utf-8")
    assert "Child Focus" not in text
    first = "their safety.</b>\n"
    path.write_text(text.replace(first, first + "    • Call Child Focus.\n", 1), "utf-8")
    kb = load_knowledge(root)
    [problem] = [p for p in check_named_cards(kb) if p.file == path]
    assert problem.severity == "warning" and "names 'child-focus'" in problem.message and problem.line > 1


def test_a_language_block_missing_from_any_knowledge_file_is_an_error_at_its_file(tmp_path: Path) -> None:
    """Every multilingual entry shares one shape (InLanguages): drop one language, get told where."""
    import shutil

    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.models import InLanguages
    from bot.problems import KnowledgeError

    assert tuple(InLanguages.model_fields) == LANGS  # the blocks are the one language list
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    for name in ("out-of-scope.yaml", "danger-lexicon.yaml", "danger/er-nurse.yaml"):
        text = (root / name).read_text("utf-8")
        (root / name).write_text(text.replace("\npt:", "\nxx:", 1), "utf-8")
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)
    problems = raised.value.problems
    for name in ("out-of-scope.yaml", "danger-lexicon.yaml", "er-nurse.yaml"):
        found = [p for p in problems if p.file.name == name]
        assert any(p.message == "pt: field required" for p in found), (name, problems)
        assert any("xx: unknown field" in p.message and p.line > 1 for p in found), (name, problems)
