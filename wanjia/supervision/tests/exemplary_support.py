"""Test support for the exemplary area: a nominable source of its own
("test.deed", good deeds kept in memory per compound), registered with the
kernel's evidence registry the way a module registers its records, so the
area's tests do not hang on another module's tables."""

from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile

from wanjia.core import evidence
from wanjia.core.evidence import Record
from wanjia.core.models import Compound
from wanjia.core.roles import STAFF_SIDE, Role
from wanjia.core.scoping import scope_q

KIND = "test.deed"
DEEDS: dict[int, tuple[int, str, date]] = {}  # id -> (compound id, people, day)


def _record(pk) -> Record:
    compound_id, people, day = DEEDS[pk]
    compound = Compound.objects.get(pk=compound_id)
    return Record(
        kind=KIND,
        id=pk,
        label=f"好人好事 {pk}：{people}",
        url="",
        compound_id=compound_id,
        company_id=compound.company_id,
        happened_on=day,
        people=people,
    )


def find(user, pk):
    if pk not in DEEDS:
        return None
    ok = Compound.objects.filter(
        scope_q(user, roles=STAFF_SIDE | {Role.REGULATOR}, compound="id"), pk=DEEDS[pk][0]
    ).exists()
    return _record(pk) if ok else None


def recent(compound_ids, since):
    ids = set(compound_ids)
    return [
        _record(pk)
        for pk, (cid, _p, day) in sorted(DEEDS.items(), reverse=True)
        if cid in ids and day >= since
    ]


def register() -> None:
    evidence.register(KIND, "好人好事", find=find, recent=recent)


def unregister() -> None:
    """Take the test source out of the registry again (other tests in the same
    process list every source)."""
    evidence._SOURCES.pop(KIND, None)
    DEEDS.clear()


def registered():
    """For a fixture: ``yield from registered()``."""
    register()
    try:
        yield
    finally:
        unregister()


def deed(compound, people="3号楼志愿服务队", day=None) -> str:
    """A new deed of ``compound``; its key."""
    from django.utils import timezone

    pk = max(DEEDS, default=1000) + 1
    DEEDS[pk] = (compound.pk, people, day or timezone.localdate())
    return f"{KIND}:{pk}"


def jpeg(name="p.jpg"):
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


FORM = {
    "title": "雨夜转移独居老人",
    "people": "3号楼志愿服务队",
    "citation": "暴雨夜，队员挨户敲门。",
}
