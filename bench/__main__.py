"""`make bench`: runs every bench/bench_*.py module and prints its figures.

Each module defines ``run() -> list[dict]``; a dict has at least ``name`` and
the measured numbers, including a ``ratio`` against a baseline measured in the
same run. Results are also written to ``bench/out/results.json``.

Select modules with ``python -m bench import pages`` (substring match)."""

import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanjia.settings")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    results = []
    for name in names:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        for row in module.run():
            row = {"module": name, **row}
            results.append(row)
            print(
                "   " + "  ".join(f"{k}={v}" for k, v in row.items() if k != "module"), flush=True
            )
        print(f"   ({time.perf_counter() - started:.1f}s)", flush=True)
    out = here / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2, default=str)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
