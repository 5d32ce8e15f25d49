"""Settings from the environment (and an optional .env): the one reader of GUIDEBOT_*."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.models import LANGS, Lang

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
_dotenv_loaded = False


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line for the deployer."""


def load_dotenv_once() -> None:
    global _dotenv_loaded
    if not _dotenv_loaded:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)
        _dotenv_loaded = True


@dataclass(frozen=True)
class Settings:
    token: str
    base_url: str = DEFAULT_BASE_URL
    db_path: Path = Path("guidebot.sqlite3")
    default_lang: Lang = "en"
    log_level: str = "INFO"
    log_json: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        token = env.get("GUIDEBOT_TELEGRAM_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "GUIDEBOT_TELEGRAM_TOKEN is not set: get a token from @BotFather and set it (see README)."
            )
        lang = env.get("GUIDEBOT_DEFAULT_LANG", "en").strip() or "en"
        if lang not in LANGS:
            raise ConfigError(f"GUIDEBOT_DEFAULT_LANG must be one of {', '.join(LANGS)}, not {lang!r}.")
        level = env.get("GUIDEBOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if level not in _LOG_LEVELS:
            raise ConfigError(
                f"GUIDEBOT_LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}, not {level!r}."
            )
        return cls(
            token=token,
            base_url=env.get("GUIDEBOT_TELEGRAM_BASE_URL", "").strip() or DEFAULT_BASE_URL,
            db_path=Path(env.get("GUIDEBOT_DB", "").strip() or "guidebot.sqlite3"),
            default_lang=lang,  # type: ignore[arg-type,unused-ignore]
            log_level=level,
            log_json=env.get("GUIDEBOT_LOG_JSON", "").strip().lower() in {"1", "true", "yes"},
        )
