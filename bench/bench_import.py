"""Import of a 100,000-row resident file, beside a plain openpyxl read-only pass
over the same file.

Both are measured in a fresh subprocess each, the same way: wall seconds of the
measured section, the process's peak resident memory (VmHWM) and that
peak minus the memory in use just before the section (``peak_delta_mb``, the
figure to compare: the import process also holds Django). The import runs into
a fresh SQLite database in a temporary var dir, or into the database named by
``DATABASE_URL`` when it is set (a throwaway compound, deleted afterwards).

``BENCH_IMPORT_ROWS`` changes the row count (default 100,000)."""

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
SEED = 20240501

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建国志春梅海燕文斌宇浩晨曦子涵梓轩"
    "一诺欣怡思远佳琪雨婷嘉怡俊杰鹏飞晓东德福永安淑珍秀云桂芳玉兰凤英金凤丽娟建华立新卫东"
)


def _id_number(rng: random.Random, seen: set) -> tuple[str, date]:
    from wanjia.core.pii import id_check_digit

    while True:
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(33_000))
        first17 = f"5001{rng.randrange(1, 30):02d}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 not in seen:
            seen.add(first17)
            return first17 + id_check_digit(first17), birth


def generate(path: Path, rows: int) -> None:
    """A realistic registry: 18-floor buildings, 2 units, 4 rooms a floor,
    1–4 residents a room, valid and unique ID numbers, mostly unique names."""
    from openpyxl import Workbook

    from wanjia.estates.exporter import COLUMNS

    rng = random.Random(SEED)
    seen: set[str] = set()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民信息")
    ws.append([c.header for c in COLUMNS])
    written, household = 0, 0
    while written < rows:
        building, rest = divmod(household, 144)
        unit, rest = divmod(rest, 72)
        floor, room = divmod(rest, 4)
        household += 1
        area = round(rng.uniform(45, 140), 2)
        names: set[str] = set()
        for member in range(min(rng.choice((1, 2, 2, 3, 3, 4)), rows - written)):
            id_number, birth = _id_number(rng, seen)
            with_birth, with_contact = rng.random() < 0.5, rng.random() < 0.3
            name = ""
            while not name or name in names:  # one name once per room
                given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
                name = rng.choice(SURNAMES) + given
            names.add(name)
            ws.append(
                [
                    f"{building + 1}栋", 18, "是", f"{unit + 1}单元",
                    f"{floor + 1}{room + 1:02d}", floor + 1, area,
                    name,
                    "业主" if member == 0 else rng.choice(("家庭成员", "家庭成员", "租户")),
                    ("男" if int(id_number[16]) % 2 else "女") if with_birth else None,
                    f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                    id_number,
                    birth if with_birth else None,
                    "是" if rng.random() < 0.03 else "否",
                    "是" if rng.random() < 0.02 else None,
                    "是" if rng.random() < 0.15 else None,
                    "是" if rng.random() < 0.08 else "否",
                    "张小三" if with_contact else None,
                    "13900005678" if with_contact else None,
                ]
            )  # fmt: skip
            written += 1
    wb.save(path)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """Peak resident memory of this process image. VmHWM, not ru_maxrss: the
    latter survives exec, so a child would report its parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_baseline(path: str) -> dict:
    from openpyxl import load_workbook  # imported before measuring, as in the import child

    before = _rss_mb()
    cpu = time.process_time()
    started = time.perf_counter()
    wb = load_workbook(path, read_only=True)
    rows = sum(1 for _row in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "rows": rows - 1,
        "peak_mb": _peak_mb(),
        "before_mb": before,
    }


def child_import(path: str) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from wanjia.core.models import Company, Compound
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant, make_region_tree, make_user

    # Unique names and codes: with DATABASE_URL this runs in a shared database.
    tag = f"B{os.getpid()}x{int(time.time())}"
    tree = make_region_tree(tag)
    company = Company.objects.create(name=f"基准物业{tag}")
    compound = Compound.objects.create(
        name=f"基准小区{tag}", code=tag[:20], community=tree["community"], company=company
    )
    manager = grant(make_user(f"bench_{tag}"), Role.COMPOUND_MANAGER, compound)
    from wanjia.estates.importer import residents_import

    marks: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        marks.setdefault(phase, time.perf_counter())

    before = _rss_mb()
    cpu = time.process_time()
    started = time.perf_counter()
    result = residents_import(actor=manager, compound=compound, path=path, on_progress=progress)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = _peak_mb()
    if not result.ok:
        raise SystemExit(f"import refused the benchmark file: {result.errors[:5]}")
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if os.environ.get("DATABASE_URL"):  # leave a shared database as it was
        compound.delete()
        company.delete()
        manager.delete()
        for level in ("community", "street", "district", "city"):
            tree[level].delete()
    write_started = marks.get("write", started + seconds)
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "rows": result.rows,
        "residents": result.created["residents"],
        "households": result.created["households"],
        "peak_mb": peak,
        "before_mb": before,
        "validate_share": (write_started - started) / seconds,
        "db": vendor,
    }


def _spawn(mode: str, path: Path, var_dir: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
    if not os.environ.get("DATABASE_URL"):
        env["WANJIA_VAR_DIR"] = str(var_dir)
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--child", mode, str(path)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child {mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="wanjia-bench-import-") as tmp:
        path = Path(tmp) / "residents.xlsx"
        started = time.perf_counter()
        generate(path, ROWS)
        generated = time.perf_counter() - started
        size_mb = path.stat().st_size / 2**20
        base = _spawn("baseline", path, Path(tmp) / "var")
        full = _spawn("import", path, Path(tmp) / "var")
    base_delta = base["peak_mb"] - base["before_mb"]
    full_delta = full["peak_mb"] - full["before_mb"]
    return [
        {
            "name": "openpyxl read-only pass (baseline)",
            "rows": base["rows"],
            "file_mb": round(size_mb, 1),
            "generate_s": round(generated, 1),
            "seconds": round(base["seconds"], 2),
            "cpu_s": round(base["cpu_s"], 2),
            "peak_mb": round(base["peak_mb"], 1),
            "peak_delta_mb": round(base_delta, 1),
        },
        {
            "name": f"import: validate + write ({full['db']})",
            "rows": full["rows"],
            "residents": full["residents"],
            "households": full["households"],
            "seconds": round(full["seconds"], 2),
            "cpu_s": round(full["cpu_s"], 2),
            "validate_share": round(full["validate_share"], 2),
            "peak_mb": round(full["peak_mb"], 1),
            "peak_delta_mb": round(full_delta, 1),
            "ratio": round(full["seconds"] / base["seconds"], 2),
            # CPU seconds of this process: steadier on a busy machine, but blind
            # to the database server's own work with PostgreSQL
            "cpu_ratio": round(full["cpu_s"] / base["cpu_s"], 2),
            "target_ratio": 3.0,
        },
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        mode, file_path = sys.argv[2], sys.argv[3]
        figures = child_baseline(file_path) if mode == "baseline" else child_import(file_path)
        print(json.dumps(figures))
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanjia.settings")
        import django

        django.setup()
        for line in run():
            print(line)
