"""The party layer's figure for the regulator (core.figures)."""

from wanjia.core.models import Building

from .selectors.coverage import covered_buildings_q


def building_cover(compound_ids, start, end) -> float | None:
    """党员联系楼栋覆盖率: buildings an active member answers for, over all the
    buildings of ``compound_ids``, as they stand at the end of the period (the
    register keeps no history of who answered when; a past month reads today's)."""
    buildings = Building.objects.filter(compound_id__in=compound_ids)
    total = buildings.count()
    if not total:
        return None
    return round(buildings.filter(covered_buildings_q()).count() / total, 4)
