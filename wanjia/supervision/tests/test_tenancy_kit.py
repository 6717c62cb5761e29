"""The supervision app's tenancy kits, found by the kernel's meta test under
this module's name: each area keeps its own kit in ``test_<area>_tenancy.py`` (or ``_tenancy_kit.py``)
(which runs its cases); importing them here registers their endpoints."""

import importlib
import pkgutil
from pathlib import Path

for _info in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _info.name != "test_tenancy_kit" and _info.name.endswith(("_tenancy", "_tenancy_kit")):
        importlib.import_module(f"{__package__}.{_info.name}")
