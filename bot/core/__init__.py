"""The transport-agnostic conversation: Input -> Reply (with effects). Nothing here knows Telegram."""
