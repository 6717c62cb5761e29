"""Pure engines import no Django: each is imported in a fresh interpreter with no
settings, and Django must not have been loaded. Add new engines (rosters,
scoring) to ENGINES."""

import subprocess
import sys

import pytest

ENGINES = ["wanjia.delivery.engine", "wanjia.rostering"]


@pytest.mark.parametrize("module", ENGINES)
def test_engine_imports_without_django(module):
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    env = {"PATH": "/usr/bin:/bin"}  # no DJANGO_SETTINGS_MODULE
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
