"""What both readers share: the catalog's own series-selector check, and the refusal of one SLO by construct."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from data.slo.promql import SelectorError, SeriesSelector, parse_selector
from metrics.slo.imports import NotCarried


class Refused(Exception):
    """This SLO is not carried over because of ``construct``; the reader records it and goes on with the next."""

    def __init__(self, construct: str, reason: str) -> None:
        super().__init__(f"{construct}: {reason}")
        self.construct, self.reason = construct, reason


def carried(construct: str, rule: Callable[..., Any], *args: Any) -> Any:
    """``rule(*args)``, with a ``NotCarried`` it raises refused as ``construct``."""
    try:
        return rule(*args)
    except NotCarried as error:
        raise Refused(construct, str(error)) from None


def checked_selector(text: object, construct: str) -> tuple[str, SeriesSelector]:
    """``text`` stripped, and parsed, when it is a series selector the catalog accepts; ``NotCarried`` otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise NotCarried(f"{construct} must be a series selector, got {text!r}")
    try:
        return text.strip(), parse_selector(text)
    except SelectorError as error:
        raise NotCarried(f"{construct} is not a series selector the catalog reads ({error})") from None
