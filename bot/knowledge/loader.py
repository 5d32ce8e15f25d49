"""Reads knowledge/ into one immutable KnowledgeBase, or reports every problem at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.knowledge.models import (
    SECTIONS,
    DangerFile,
    DangerLexicon,
    OutOfScope,
    Referral,
    ReferralFile,
    Service,
    ServiceFile,
    ServiceId,
    Tip,
    TipFile,
    Topic,
)
from bot.knowledge.practice import ChecklistFile, Practice, ReflectionFile, ScenarioFile
from bot.knowledge.yamlio import KeyPath, YamlDoc, read_yaml
from bot.problems import KnowledgeError, Problem

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class KnowledgeBase:
    root: Path
    topics: dict[str, Topic]
    referrals: dict[str, Referral]
    services: dict[ServiceId, Service]
    tips: tuple[Tip, ...]
    out_of_scope: OutOfScope = field(default_factory=OutOfScope.none)
    danger: tuple[DangerFile, ...] = ()  # the danger classifier's training corpus, one file per author
    lexicon: DangerLexicon | None = None  # the danger safety net
    docs: dict[Path, YamlDoc] = field(repr=False, default_factory=dict)
    topic_files: dict[str, Path] = field(repr=False, default_factory=dict)
    danger_files: dict[str, Path] = field(repr=False, default_factory=dict)
    practice: Practice = field(default_factory=Practice)  # scenarios, reflections, checklist

    def problem_at(self, file: Path, key_path: KeyPath, message: str, severity: str = "error") -> Problem:
        """A problem placed on the line where key_path is written."""
        doc = self.docs.get(file)
        line = doc.line_of(key_path) if doc else 1
        where = ".".join(str(p) for p in key_path)
        text = f"{where}: {message}" if where else message
        return Problem(file, line, text, severity)  # type: ignore[arg-type]


def _message(error: Any) -> str:
    msg = str(error["msg"])
    if error["type"] == "missing":
        return "field required"
    if error["type"] == "extra_forbidden":
        return "unknown field (a typo?)"
    return msg[0].lower() + msg[1:] if msg else msg


def _validate(model: type[M], doc: YamlDoc, problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(doc.data if doc.data is not None else {})
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function")))
            where = ".".join(str(p) for p in loc)
            text = f"{where}: {_message(error)}" if where else _message(error)
            problems.append(Problem(doc.path, doc.line_of(loc), text))
        return None


def _read(path: Path, problems: list[Problem]) -> YamlDoc | None:
    try:
        return read_yaml(path)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        return None


def load_knowledge(root: Path) -> KnowledgeBase:
    """Load and validate; raise KnowledgeError listing every fault, never a traceback."""
    problems: list[Problem] = []
    docs: dict[Path, YamlDoc] = {}
    topics: dict[str, Topic] = {}
    topic_files: dict[str, Path] = {}
    topic_dir = root / "topics"
    if not topic_dir.is_dir():
        raise KnowledgeError([Problem(topic_dir, 1, "no topics folder")])
    for path in sorted(topic_dir.glob("*.y*ml")):
        doc = _read(path, problems)
        if doc is None:
            continue
        docs[path] = doc
        topic = _validate(Topic, doc, problems)
        if topic is None:
            continue
        if topic.id != path.stem:
            problems.append(
                Problem(path, doc.line_of(("id",)), f"id: {topic.id!r} differs from the file name")
            )
        if topic.id in topics:
            problems.append(
                Problem(path, doc.line_of(("id",)), f"id: {topic.id!r} already in {topic_files[topic.id]}")
            )
        topics[topic.id] = topic
        topic_files[topic.id] = path

    referrals: dict[str, Referral] = {}
    services: dict[ServiceId, Service] = {}
    tips: tuple[Tip, ...] = ()
    for name in ("referrals.yaml", "services.yaml", "tips.yaml"):
        path = root / name
        if not path.is_file():
            problems.append(Problem(path, 1, "file missing"))
            continue
        doc = _read(path, problems)
        if doc is None:
            continue
        docs[path] = doc
        if name == "referrals.yaml":
            rfile = _validate(ReferralFile, doc, problems)
            if rfile:
                for index, ref in enumerate(rfile.referrals):
                    if ref.id in referrals:
                        problems.append(
                            Problem(
                                path,
                                doc.line_of(("referrals", index, "id")),
                                f"referrals.{index}.id: {ref.id!r} twice",
                            )
                        )
                    referrals[ref.id] = ref
        elif name == "services.yaml":
            sfile = _validate(ServiceFile, doc, problems)
            if sfile:
                services = dict(sfile.services)
        else:
            tfile = _validate(TipFile, doc, problems)
            if tfile:
                tips = tfile.tips
    out_of_scope = OutOfScope.none()
    oos_path = root / "out-of-scope.yaml"
    if oos_path.is_file() and (oos_doc := _read(oos_path, problems)) is not None:
        docs[oos_path] = oos_doc
        out_of_scope = _validate(OutOfScope, oos_doc, problems) or out_of_scope
    danger: list[DangerFile] = []
    danger_files: dict[str, Path] = {}
    for path in sorted((root / "danger").glob("*.y*ml")):
        if (ddoc := _read(path, problems)) is not None:
            docs[path] = ddoc
            if (dfile := _validate(DangerFile, ddoc, problems)) is not None:
                if dfile.author in danger_files:
                    problems.append(
                        Problem(
                            path,
                            ddoc.line_of(("author",)),
                            f"author: {dfile.author!r} already in {danger_files[dfile.author]}",
                        )
                    )
                danger.append(dfile)
                danger_files[dfile.author] = path
    lexicon = None
    lex_path = root / "danger-lexicon.yaml"
    if lex_path.is_file() and (lex_doc := _read(lex_path, problems)) is not None:
        docs[lex_path] = lex_doc
        lexicon = _validate(DangerLexicon, lex_doc, problems)
    practice = _load_practice(root / "practice", docs, problems)
    if problems:
        raise KnowledgeError(problems)
    ordered = dict(sorted(topics.items(), key=lambda kv: (SECTIONS.index(kv[1].section), kv[0])))
    return KnowledgeBase(
        root,
        ordered,
        referrals,
        services,
        tips,
        out_of_scope,
        tuple(danger),
        lexicon,
        docs,
        topic_files,
        danger_files,
        practice,
    )


def _load_practice(folder: Path, docs: dict[Path, YamlDoc], problems: list[Problem]) -> Practice:
    """The practice files are optional: without them /practice, /reflect and /checklist say so."""
    files: dict[str, Path] = {}

    def load(name: str, model: type[M]) -> M | None:
        path = folder / name
        if not path.is_file() or (doc := _read(path, problems)) is None:
            return None
        docs[path] = doc
        files[name] = path
        return _validate(model, doc, problems)

    scenarios = load("scenarios.yaml", ScenarioFile)
    reflections = load("reflections.yaml", ReflectionFile)
    checklist = load("checklist.yaml", ChecklistFile)
    return Practice(
        scenarios.scenarios if scenarios else (),
        reflections.reflections if reflections else (),
        checklist.checklist if checklist else (),
        files,
    )
