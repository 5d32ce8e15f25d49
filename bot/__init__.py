"""guidebot: practical safer-spaces guidance for frontline workers, in four languages."""

__version__ = "0.1.0"
