"""Small pieces of the wall screen that need no database: a sparkline's points
and a trend's words."""

from collections.abc import Sequence


def spark(values: Sequence[float | None]) -> str:
    """SVG polyline points in a 100×24 box for a series (gaps skipped); "" when
    fewer than two values are known."""
    known = [(n, v) for n, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low = min(v for _n, v in known)
    high = max(v for _n, v in known)
    span = (high - low) or 1.0
    last = max(len(values) - 1, 1)
    return " ".join(f"{n * 100 / last:.1f},{22 - (v - low) * 20 / span:.1f}" for n, v in known)


def trend(now: float | None, before: float | None, *, better: str | None) -> tuple[str, str]:
    """("▲ 2.5", "up") — the change since the last period and whether it is good
    (``up``), bad (``down``) or neither (``flat``); ("", "") when unknown."""
    if now is None or before is None:
        return "", ""
    delta = now - before
    if abs(delta) < 1e-9:
        return "—", "flat"
    arrow = "▲" if delta > 0 else "▼"
    good = (delta > 0) == (better != "lower") if better else None
    return f"{arrow} {abs(delta):.1f}".rstrip("0").rstrip("."), (
        "flat" if good is None else ("up" if good else "down")
    )
