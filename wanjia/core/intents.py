"""Intents: what one app offers to others by name, so that apps never import each
other. The offering app registers a callable in ``AppConfig.ready``; another app
asks for it by name and gets the default when no installed app offers it.

    # delivery/apps.py
    intents.offer("delivery.resident_panel", resident_delivery)
    # market/views/resident.py
    panel = intents.ask("delivery.resident_panel", order, default=None)

Names are ``<offering app>.<what>``; their arguments and result are the offering
app's contract, written in its docstring."""

from collections.abc import Callable

_OFFERS: dict[str, Callable] = {}


def offer(name: str, fn: Callable) -> None:
    """Make ``fn`` answer ``name``. Offering one name twice keeps the last
    (``ready`` may run twice in tests)."""
    _OFFERS[name] = fn


def offered(name: str) -> bool:
    return name in _OFFERS


def ask(name: str, *args, default=None, **kwargs):
    """The answer of whoever offers ``name``; ``default`` when nobody does."""
    fn = _OFFERS.get(name)
    return default if fn is None else fn(*args, **kwargs)
