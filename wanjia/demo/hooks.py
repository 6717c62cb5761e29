"""Other apps' demo data: find each ``wanjia.demo.fixtures.<app label>`` module
and run it. The fixtures live with the demo, so no product module imports demo data.

The contract is written out in ``load_demo``'s docstring."""

import importlib
import traceback
from dataclasses import dataclass
from types import ModuleType

from django.apps import apps
from django.db import transaction


@dataclass
class HookResult:
    app: str
    module: str
    ok: bool
    error: str = ""


def _app_names() -> list[tuple[str, str]]:
    """(label, dotted name) of every installed Wanjia app but this one, in
    INSTALLED_APPS order, so a module may rely on the ones listed before it."""
    return [
        (app.label, app.name)
        for app in apps.get_app_configs()
        if app.name.startswith("wanjia.") and app.name != "wanjia.demo"
    ]


def demo_modules() -> list[tuple[str, ModuleType]]:
    found = []
    for label, _name in _app_names():
        dotted = f"wanjia.demo.fixtures.{label}"
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name == dotted:
                continue  # this app has no demo data
            raise  # the module exists but imports something missing: say so
        found.append((label, module))
    return found


def run_demo_modules(stdout) -> list[HookResult]:
    """Run every module's ``load(stdout=...)`` in its own transaction.

    One module's failure rolls back only its own rows; the others still run,
    and the caller reports the failure."""
    results = []
    for label, module in demo_modules():
        try:
            with transaction.atomic():
                module.load(stdout=stdout)
        except Exception:  # report any failure of another app's loader, then go on
            results.append(HookResult(label, module.__name__, False, traceback.format_exc()))
        else:
            results.append(HookResult(label, module.__name__, True))
    return results
