"""``manage.py plan_routes``: the what-if planner on a file."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

RC208 = str(Path(__file__).parent / "data" / "RC208.vrp")  # Solomon RC208, public benchmark


def good() -> dict:
    return {
        "depot": {"x": 0, "y": 0},
        "metric": "euclidean",
        "stops": [
            {
                "id": "A1",
                "x": 100,
                "y": 0,
                "demand": 2,
                "service_s": 30,
                "earliest_s": 0,
                "latest_s": 600,
            },
            {
                "id": "A2",
                "x": 100,
                "y": 100,
                "demand": 1,
                "service_s": 30,
                "earliest_s": 0,
                "latest_s": 900,
            },
            {
                "id": "B7",
                "x": -50,
                "y": 50,
                "demand": 3,
                "service_s": 30,
                "earliest_s": 100,
                "latest_s": 900,
            },
            {
                "id": "far",
                "x": 9000,
                "y": 0,
                "demand": 1,
                "service_s": 30,
                "earliest_s": 0,
                "latest_s": 600,
            },
        ],
        "couriers": [{"id": "c1", "capacity": 4, "speed": 2.0, "start_s": 0, "end_s": 3000}],
    }


def run(tmp_path: Path, doc, *args, name="in.json"):
    src = tmp_path / name
    src.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    out = tmp_path / "out.json"
    call_command("plan_routes", "--input", str(src), "--seconds", "1", "--output", str(out), *args)
    return json.loads(out.read_text(encoding="utf-8"))


def refused(tmp_path: Path, doc) -> str:
    with pytest.raises(CommandError) as info:
        run(tmp_path, doc)
    return str(info.value)


def test_plans_a_file_and_explains_what_it_cannot_serve(tmp_path):
    out = run(tmp_path, good())
    assert set(out) >= {"routes", "unserved", "total_distance", "total_duration"}
    (route,) = out["routes"]
    assert route["courier"] == "c1"
    assert sorted(s["id"] for s in route["stops"]) == ["A1", "A2", "B7"]
    assert all(set(s) >= {"id", "eta_s"} for s in route["stops"])
    assert route["trips"] == 2 and route["reloads"] == 1  # 6 bags, 4 per trip
    assert route["distance"] > 0 and route["duration"] > 0
    assert out["total_distance"] == pytest.approx(route["distance"])
    assert out["unserved"] == [
        {"id": "far", "code": "too_late", "reason": out["unserved"][0]["reason"]}
    ]
    assert "4500" in out["unserved"][0]["reason"]  # 9000 units at 2/s
    b7 = next(s for s in route["stops"] if s["id"] == "B7")
    assert b7["eta_s"] >= 100


def test_latlng_haversine_reports_metres(tmp_path):
    doc = {
        "depot": {"lat": 30.0, "lng": 104.0},
        "stops": [{"id": 1, "lat": 30.01, "lng": 104.0, "demand": 1, "latest_s": 3600}],
        "couriers": [{"id": "e", "capacity": 10, "speed": 4, "start_s": 0, "end_s": 7200}],
    }
    out = run(tmp_path, doc)  # metric defaults to haversine for lat/lng
    assert out["total_distance"] == pytest.approx(2 * 1112, rel=0.01)
    assert out["routes"][0]["stops"][0]["id"] == "1"


def test_reads_solomon_vrp_files(tmp_path):
    out = tmp_path / "rc.json"
    call_command("plan_routes", "--input", RC208, "--seconds", "1", "--output", str(out))
    doc = json.loads(out.read_text())
    assert sum(len(r["stops"]) for r in doc["routes"]) == 100
    assert len(doc["routes"]) <= 4 and doc["unserved"] == []
    assert 776.1 <= doc["total_distance"] < 1000


def test_answers_courier_count_and_earliest_deadline(tmp_path):
    doc = good()
    doc["stops"] = doc["stops"][:3]
    out = run(tmp_path, doc, "--couriers-needed", "c1", "--earliest-deadline")
    assert out["couriers_needed"]["count"] == 1
    assert out["earliest_deadline_s"] is not None and out["earliest_deadline_s"] <= 900
    base = run(tmp_path, doc, "--baseline")
    assert base["solver"] == "nearest"


def test_writes_to_stdout_by_default(tmp_path, capsys):
    src = tmp_path / "in.json"
    src.write_text(json.dumps(good()))
    call_command("plan_routes", "--input", str(src), "--seconds", "1")
    assert json.loads(capsys.readouterr().out)["routes"][0]["courier"] == "c1"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("depot"), ["depot"]),
        (lambda d: d["depot"].pop("y"), ["depot", "y"]),
        (lambda d: d.pop("stops"), ["stops"]),
        (lambda d: d.pop("couriers"), ["couriers"]),
        (lambda d: d.update(couriers=[]), ["couriers"]),
        (lambda d: d["stops"][1].pop("demand"), ['stops[1] (id "A2")', "demand"]),
        (lambda d: d["stops"][1].pop("id"), ["stops[1]:", "id"]),
        (lambda d: d["stops"][2].pop("x"), ['stops[2] (id "B7")', "x"]),
        (lambda d: d["couriers"][0].pop("speed"), ['couriers[0] (id "c1")', "speed"]),
        (lambda d: d["stops"][2].update(demand=9), ['stops[2] (id "B7")', "demand 9", "4"]),
        (
            lambda d: d["stops"][2].update(earliest_s=200, latest_s=100),
            ['stops[2] (id "B7"): latest_s 100', "earliest_s 200"],
        ),
        (lambda d: d.update(metric="chebyshev"), ["metric", "chebyshev"]),
        (lambda d: d.update(metric="haversine"), ["metric", "haversine"]),
        (lambda d: d["stops"][3].update(id="A1"), ['stops[3] (id "A1")', "stops[0]"]),
        (
            lambda d: d["stops"][0].update(latest_s="soon"),
            ['stops[0] (id "A1")', "latest_s", '"soon"'],
        ),
        (lambda d: d["stops"][0].update(lat=30, lng=104), ['stops[0] (id "A1")', "x,y", "lat,lng"]),
        (
            lambda d: d["couriers"][0].update(start_s=10, end_s=5),
            ['couriers[0] (id "c1")', "end_s 5"],
        ),
        (lambda d: d["couriers"][0].update(capacity=0), ['couriers[0] (id "c1")', "capacity"]),
        (lambda d: d.update(matrix={"distance": [[0, 1], [1, 0]]}), ["matrix.distance", "5×5"]),
    ],
)
def test_bad_files_name_each_offending_item(tmp_path, mutate, expected):
    doc = good()
    mutate(doc)
    message = refused(tmp_path, doc)
    for part in expected:
        assert part in message, message


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    doc = good()
    doc["stops"][0]["latest_s"] = -5
    doc["stops"][1]["demand"] = 99
    doc["metric"] = "taxi"
    message = refused(tmp_path, doc)
    assert 'stops[0] (id "A1")' in message and 'stops[1] (id "A2")' in message and "taxi" in message


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "", "\ud800"])
def test_not_json_is_refused(tmp_path, text):
    src = tmp_path / "in.json"
    src.write_bytes(text.encode("utf-8", "surrogatepass"))
    with pytest.raises(CommandError):
        call_command("plan_routes", "--input", str(src), "--seconds", "1")


def test_missing_file_and_bad_budget_are_refused(tmp_path):
    with pytest.raises(CommandError, match="nope.json"):
        call_command("plan_routes", "--input", str(tmp_path / "nope.json"))
    src = tmp_path / "in.json"
    src.write_text(json.dumps(good()))
    with pytest.raises(CommandError, match="--seconds"):
        call_command("plan_routes", "--input", str(src), "--seconds", "0")
    with pytest.raises(CommandError, match="ghost"):
        call_command(
            "plan_routes", "--input", str(src), "--seconds", "1", "--couriers-needed", "ghost"
        )


@pytest.mark.slow
def test_from_the_shell_a_bad_file_exits_non_zero_without_a_traceback(tmp_path):
    doc = good()
    doc["stops"][2].update(earliest_s=200, latest_s=100)
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    proc = subprocess.run(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "plan_routes",
            "--input",
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert 'stops[2] (id "B7"): latest_s 100' in proc.stderr


def test_a_broken_vrp_file_is_refused_by_name(tmp_path):
    text = Path(RC208).read_text()
    src = tmp_path / "cut.vrp"
    src.write_text(text.split("DEMAND_SECTION")[0])
    with pytest.raises(CommandError, match="DEMAND_SECTION"):
        call_command("plan_routes", "--input", str(src), "--seconds", "1")
    src.write_text(text.replace("SCALE : 10", "SCALE : 0"))
    with pytest.raises(CommandError, match="SCALE"):
        call_command("plan_routes", "--input", str(src), "--seconds", "1")
    src.write_text(text.replace("1 40 50", "1 forty 50"))
    with pytest.raises(CommandError, match="cut.vrp"):
        call_command("plan_routes", "--input", str(src), "--seconds", "1")
