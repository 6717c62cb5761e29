"""``manage.py plan_routes --input FILE --seconds N --output OUT.json``: the
what-if planner on a file, no database involved.

FILE is the JSON described in ``wanjia/delivery/PLAN_ROUTES.md`` or a Solomon
instance in VRPLIB form (``.vrp``). A file that cannot be planned is refused
with one line per offending item and exit status 1."""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wanjia.delivery import engine, instances


class Command(BaseCommand):
    help = _("按文件规划配送路线（what-if），输出 JSON")

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help=_("输入文件：.json 或 Solomon .vrp"))
        parser.add_argument("--output", default="-", help=_("输出 JSON 文件；- 表示标准输出"))
        parser.add_argument("--seconds", type=float, default=10.0, help=_("求解时间上限（秒）"))
        parser.add_argument("--seed", type=int, default=1, help=_("随机种子（固定即可复现）"))
        parser.add_argument(
            "--baseline", action="store_true", help=_("改用最近邻基线规划（对比用）")
        )
        parser.add_argument(
            "--couriers-needed",
            metavar="COURIER_ID",
            help=_("另外回答：需要多少名与该配送员相同的配送员才能全部送达"),
        )
        parser.add_argument(
            "--earliest-deadline",
            action="store_true",
            help=_("另外回答：以现有配送员，全部送达的最早截止时间"),
        )

    def handle(self, *args, **opts):
        seconds = opts["seconds"]
        if not math.isfinite(seconds) or seconds <= 0:
            raise CommandError(_("--seconds 必须大于 0"))
        problem = self._load(Path(opts["input"]))
        if opts["baseline"]:
            result = engine.plan_nearest(problem)
        else:
            result = engine.plan(problem, seconds=seconds, seed=opts["seed"])
        out = instances.plan_to_dict(result, problem)
        if opts["couriers_needed"]:
            out["couriers_needed"] = self._sizing(
                problem, opts["couriers_needed"], seconds, opts["seed"]
            )
        if opts["earliest_deadline"]:
            answer = engine.earliest_deadline(problem, seconds=seconds, seed=opts["seed"])
            out["earliest_deadline_s"] = answer.deadline_s
        self._write(opts["output"], out)
        self.stderr.write(
            _(
                "已送达 %(served)s / %(total)s 个站点，未送达 %(left)s，总距离 %(distance)s（%(solver)s，%(secs)s 秒）"
            )
            % {
                "served": result.served,
                "total": len(problem.stops),
                "left": len(result.unserved),
                "distance": out["total_distance"],
                "solver": result.solver,
                "secs": round(result.runtime_s, 1),
            }
        )

    def _load(self, path: Path) -> engine.Problem:
        try:
            if path.suffix.lower() == ".vrp":
                return instances.read_solomon(path).problem
            return instances.load_json(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            raise CommandError(_("找不到输入文件 %(path)s") % {"path": path}) from None
        except UnicodeDecodeError:
            raise CommandError(_("%(path)s 不是 UTF-8 文本") % {"path": path}) from None
        except instances.InstanceError as exc:
            raise CommandError(
                _("%(path)s 无法规划：") % {"path": path} + "\n" + "\n".join(exc.problems)
            ) from None
        except (OSError, ValueError, IndexError, KeyError) as exc:
            raise CommandError(
                _("%(path)s 读取失败：%(error)s") % {"path": path, "error": exc}
            ) from None

    def _sizing(self, problem, courier_id, seconds, seed) -> dict:
        template = next((c for c in problem.couriers if c.id == courier_id), None)
        if template is None:
            raise CommandError(
                _("--couriers-needed：没有 id 为 %(id)s 的配送员") % {"id": courier_id}
            )
        sizing = engine.couriers_needed(problem, template, seconds=seconds, seed=seed)
        return {
            "like": courier_id,
            "count": sizing.count,
            "impossible": [
                {"id": u.stop_id, "reason": instances.explain(u)} for u in sizing.impossible
            ],
        }

    def _write(self, target: str, out: dict) -> None:
        text = json.dumps(out, ensure_ascii=False, indent=2)
        if target == "-":
            self.stdout.write(text)
            return
        try:
            Path(target).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(path)s：%(error)s") % {"path": target, "error": exc}
            ) from None
