"""Settings from the environment (and an optional .env): the one reader of GUIDEBOT_*.

Nothing else in the bot touches ``os.environ``; a bad value is a ConfigError with one line for
the deployer, which the CLI prints as ``Error: ...`` with exit code 2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.lang import DEFAULT_LANG, LANGS, Lang, as_lang
from bot.paths import data_dir, user_cache

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = {"1", "true", "yes", "on"}


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line for the deployer."""


def load_dotenv(folder: Path | None = None) -> None:
    """Reads ./.env into the environment once; values already set win."""
    from dotenv import load_dotenv as _load

    _load((folder or Path.cwd()) / ".env", override=False)


@dataclass(frozen=True)
class Webhook:
    url: str = ""
    secret: str = ""
    listen: str = "0.0.0.0"
    port: int = 8443
    max_body: int = 1_000_000  # bytes; Telegram's updates are far smaller, anything bigger gets 413


@dataclass(frozen=True)
class Settings:
    token: str = ""  # empty: the console only
    base_url: str = DEFAULT_BASE_URL
    db_path: Path = Path("guidebot.sqlite3")
    keep_counts_months: int = 12  # anonymous counts older than this are deleted by the bot
    default_lang: Lang = DEFAULT_LANG
    log_level: str = "INFO"
    log_json: bool = False
    knowledge: Path = field(default_factory=lambda: data_dir("knowledge"))
    locales: Path = field(default_factory=lambda: data_dir("locales"))
    cache: Path = field(default_factory=user_cache)
    webhook: Webhook = field(default_factory=Webhook)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every GUIDEBOT_* setting, read and checked here; a bad one raises ConfigError."""
        if environ is None:
            load_dotenv()
            environ = os.environ
        env = {k: v.strip() for k, v in environ.items() if k.startswith("GUIDEBOT_") or k == "XDG_CACHE_HOME"}

        def get(name: str, default: str = "") -> str:
            return env.get(name, "") or default

        lang = as_lang(get("GUIDEBOT_DEFAULT_LANG", DEFAULT_LANG))
        if lang is None:
            raise ConfigError(
                f"GUIDEBOT_DEFAULT_LANG must be one of {', '.join(LANGS)}, not {get('GUIDEBOT_DEFAULT_LANG')!r}."
            )
        level = get("GUIDEBOT_LOG_LEVEL", "INFO").upper()
        if level not in LOG_LEVELS:
            raise ConfigError(f"GUIDEBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
        port_text = get("GUIDEBOT_WEBHOOK_PORT", "8443")
        if not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536):
            raise ConfigError(f"GUIDEBOT_WEBHOOK_PORT must be a port number (1-65535), not {port_text!r}.")
        body_text = get("GUIDEBOT_WEBHOOK_MAX_BODY", "1000000")
        if not (body_text.isascii() and body_text.isdigit() and int(body_text) >= 1024):
            raise ConfigError(
                f"GUIDEBOT_WEBHOOK_MAX_BODY must be a number of bytes (>= 1024), not {body_text!r}."
            )
        months_text = get("GUIDEBOT_KEEP_COUNTS_MONTHS", "12")
        if not (months_text.isascii() and months_text.isdigit() and 1 <= int(months_text) <= 120):
            raise ConfigError(
                f"GUIDEBOT_KEEP_COUNTS_MONTHS must be a number of months (1-120), not {months_text!r}."
            )
        return cls(
            token=get("GUIDEBOT_TELEGRAM_TOKEN"),
            base_url=get("GUIDEBOT_TELEGRAM_BASE_URL", DEFAULT_BASE_URL),
            db_path=Path(get("GUIDEBOT_DB", "guidebot.sqlite3")),
            keep_counts_months=int(months_text),
            default_lang=lang,
            log_level=level,
            log_json=get("GUIDEBOT_LOG_JSON").lower() in _TRUE,
            knowledge=data_dir("knowledge", get("GUIDEBOT_KNOWLEDGE")),
            locales=data_dir("locales", get("GUIDEBOT_LOCALES")),
            cache=Path(get("GUIDEBOT_CACHE"))
            if get("GUIDEBOT_CACHE")
            else user_cache(env.get("XDG_CACHE_HOME", "")),
            webhook=Webhook(
                url=get("GUIDEBOT_WEBHOOK_URL"),
                secret=get("GUIDEBOT_WEBHOOK_SECRET"),
                listen=get("GUIDEBOT_WEBHOOK_LISTEN", "0.0.0.0"),
                port=int(port_text),
                max_body=int(body_text),
            ),
        )

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(
                "GUIDEBOT_TELEGRAM_TOKEN is not set: get a token from @BotFather and set it (see README)."
            )
        return self.token

    @property
    def pid_file(self) -> Path:
        """Where `guidebot reload` finds the running bot: beside the database."""
        return self.db_path.with_suffix(".pid")
