"""The shapes of curated knowledge; pydantic gives curators field-level messages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Generic, Literal, TypeVar, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.lang import Lang

ServiceId = Literal["health", "police", "education", "housing", "social"]
SERVICE_IDS: tuple[ServiceId, ...] = get_args(ServiceId)
Section = Literal["foundations", "principles", "practice", "services", "managers", "referral"]
SECTIONS: tuple[Section, ...] = get_args(Section)

_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _no_blank(items: tuple[str, ...]) -> tuple[str, ...]:
    if any(not item.strip() for item in items):
        raise ValueError("empty entry")
    return items


Entries = Annotated[tuple[str, ...], AfterValidator(_no_blank)]  # a list of texts, none of them blank


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


T = TypeVar("T")


class InLanguages(_Frozen, Generic[T]):
    """One T per language, all required: the `en:` ... `pt:` blocks of every knowledge entry.
    The fields mirror bot.lang.LANGS (a test holds them to it)."""

    en: T
    fr: T
    nl: T
    pt: T

    def text(self, lang: Lang) -> T:
        found: T = getattr(self, lang)
        return found


Localized = InLanguages[Annotated[str, Field(min_length=1)]]  # one short text per language


class TopicText(_Frozen):
    title: str = Field(min_length=2, max_length=60)
    answer: str = Field(min_length=20)
    questions: Entries = Field(min_length=8)
    keywords: Entries = Field(min_length=3)


class Topic(InLanguages[TopicText]):
    id: str = Field(pattern=_ID)
    section: Section
    services: tuple[ServiceId | Literal["all"], ...] = Field(min_length=1)
    related: tuple[str, ...] = ()
    referrals: tuple[str, ...] = ()

    def service_ids(self) -> tuple[ServiceId, ...]:
        return SERVICE_IDS if "all" in self.services else tuple(s for s in SERVICE_IDS if s in self.services)


class Referral(_Frozen):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=2)
    names: dict[Lang, str] = Field(default_factory=dict)
    kind: str
    offers: Localized
    phone: str | None = None
    hours: Localized | None = None
    free_call: bool | None = None
    address: str | None = None
    website: str | None = None
    email: str | None = None
    region: tuple[str, ...] = ()
    languages: tuple[str, ...] | None = None
    notice: Localized | None = None
    source: str = Field(min_length=8)
    confidence: Literal["high", "medium"]
    checked: date
    curator_note: str = ""

    def display_name(self, lang: Lang) -> str:
        return self.names.get(lang) or self.name


class Service(_Frozen):
    label: Localized
    topics: tuple[str, ...] = Field(min_length=1)
    first: tuple[str, ...] = Field(default=(), max_length=8)  # the menu's first page, in this order


TIP_MAX_CHARS = 400  # a daily tip reads in one look on a phone


class Tip(InLanguages[Annotated[str, Field(min_length=10, max_length=TIP_MAX_CHARS)]]):
    id: str = Field(pattern=_ID)
    topic: str


class ReferralFile(_Frozen):
    referrals: tuple[Referral, ...]


class ServiceFile(_Frozen):
    services: dict[ServiceId, Service]


class OutOfScope(InLanguages[tuple[str, ...]]):
    """Example questions the bot must refuse, per language (the matcher's reject class)."""

    @classmethod
    def none(cls) -> OutOfScope:
        return cls(en=(), fr=(), nl=(), pt=())


class TipFile(_Frozen):
    tips: tuple[Tip, ...] = Field(min_length=1)


class DangerExamples(_Frozen):
    """One language of a danger corpus file: messages that must and must not raise the alarm."""

    danger: Entries = Field(min_length=1)
    calm: Entries = Field(min_length=1)


class DangerFile(InLanguages[DangerExamples]):
    """knowledge/danger/<author>.yaml: one author's training messages for the danger classifier."""

    author: str = Field(pattern=_ID)
    brief: str = Field(min_length=3)


class DangerLexicon(InLanguages[dict[str, tuple[str, ...]]]):
    """knowledge/danger-lexicon.yaml: per language, concept -> phrases that alone raise the alarm.

    A phrase is matched on word stems, in order, with at most one other word between two of its
    words; `*` stands for up to three other words.
    """

    sure: tuple[str, ...] = ()  # concepts that alarm whatever the classifier says
