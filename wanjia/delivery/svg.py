"""A drawing of a plan's routes over the compounds, as SVG: no map tiles (no
network, prints, works on a cheap phone), just the places where they are.

Positions are projected with an equirectangular projection (longitude scaled
by cos(latitude) at the middle of the drawing), which is exact enough over a
few kilometres. Pure: plain data in, a string out, so it is tested alone."""

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# Colour-blind-friendly first (Okabe–Ito), then more distinct hues for big fleets.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#7B3294",
    "#8C6D31",
    "#1B9E77",
    "#E7298A",
    "#666666",
    "#66A61E",
)
WIDTH = 800
PAD = 36
LEGEND_ROW = 26
MAX_HEIGHT = 600  # a tall strip of places gets narrower, not taller
MAX_STOP_NUMBERS = 80  # number the dots only while they stay readable


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    label: str = ""


@dataclass(frozen=True)
class RouteLine:
    """One courier's route: ``trips`` are lists of stop places in order; the
    line runs depot → trip 1 → depot → trip 2 … → depot."""

    name: str
    trips: tuple[tuple[Place, ...], ...]


@dataclass(frozen=True)
class MapData:
    depot: Place
    gates: tuple[Place, ...] = ()
    routes: tuple[RouteLine, ...] = ()
    unserved: tuple[Place, ...] = ()
    title: str = ""
    legend_unserved: str = ""


class Projection:
    """lat/lng → SVG x/y inside a box of ``width`` with ``pad`` around."""

    def __init__(self, places, width: int = WIDTH, pad: int = PAD):
        lats = [p.lat for p in places]
        lngs = [p.lng for p in places]
        self.lat0 = (min(lats) + max(lats)) / 2
        self.k = math.cos(math.radians(self.lat0))
        xs = [lng * self.k for lng in lngs]
        self.x_min, self.y_max = min(xs), max(lats)
        span_x = max(max(xs) - self.x_min, 1e-6)
        span_y = max(max(lats) - min(lats), 1e-6)
        inner = width - 2 * pad
        # Keep the aspect; a flat strip of places still gets a usable height.
        height = min(max(inner * span_y / span_x, 240), MAX_HEIGHT)
        self.scale = min(inner / span_x, height / span_y)
        self.pad = pad
        self.width = width
        self.off_x = (inner - span_x * self.scale) / 2
        self.off_y = (height - span_y * self.scale) / 2
        self.height = height + 2 * pad

    def __call__(self, place: Place) -> tuple[float, float]:
        x = self.pad + self.off_x + (place.lng * self.k - self.x_min) * self.scale
        y = self.pad + self.off_y + (self.y_max - place.lat) * self.scale
        return round(x, 1), round(y, 1)


def colour(n: int) -> str:
    return PALETTE[n % len(PALETTE)]


def route_map(data: MapData) -> str:
    """The SVG document: gates as labelled squares, stops as dots, the market
    as a star, one polyline per route, and a legend with the couriers' names."""
    stops = [p for r in data.routes for trip in r.trips for p in trip]
    project = Projection([data.depot, *data.gates, *stops, *data.unserved])
    legend_rows = len(data.routes) + (1 if data.unserved else 0)
    height = round(project.height + 12 + LEGEND_ROW * ((legend_rows + 2) // 3))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" class="route-map" role="img" '
        f"aria-label={quoteattr(data.title or 'routes')} "
        'font-family="PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif">',
        f"<title>{escape(data.title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#fdfbf8"/>',
    ]
    parts += [_gate(project, g) for g in data.gates]
    numbered = len(stops) <= MAX_STOP_NUMBERS
    for n, r in enumerate(data.routes):
        parts += _route(project, r, data.depot, colour(n), numbered)
    parts += [_unserved(project, p) for p in data.unserved]
    parts.append(_star(project, data.depot))
    parts += _legend(data, top=project.height + 6)
    parts.append("</svg>")
    return "\n".join(parts)


def _gate(project, gate: Place) -> str:
    x, y = project(gate)
    label = escape(gate.label)
    return (
        f'<g class="gate"><rect x="{x - 6}" y="{y - 6}" width="12" height="12" '
        f'fill="#fff" stroke="#74685e" stroke-width="2"/>'
        f'<text x="{x + 9}" y="{y - 8}" font-size="15" fill="#2b2521">{label}</text></g>'
    )


def _route(project, r: RouteLine, depot: Place, stroke: str, numbered: bool) -> list[str]:
    path = [depot]
    for trip in r.trips:
        path += [*trip, depot]
    points = " ".join(f"{x},{y}" for x, y in map(project, path))
    out = [
        f'<g class="route"><title>{escape(r.name)}</title>'
        f'<polyline points="{points}" fill="none" stroke="{stroke}" stroke-width="3" '
        'stroke-linejoin="round" stroke-linecap="round" stroke-opacity=".85"/>'
    ]
    seq = 0
    for trip in r.trips:
        for stop in trip:
            seq += 1
            x, y = project(stop)
            out.append(
                f'<circle cx="{x}" cy="{y}" r="4.5" fill="{stroke}" stroke="#fff" '
                f'stroke-width="1.5"><title>{escape(f"{r.name} {seq}. {stop.label}")}</title>'
                "</circle>"
            )
            if numbered:
                out.append(
                    f'<text x="{x + 6}" y="{y + 4}" font-size="11" fill="{stroke}">{seq}</text>'
                )
    out.append("</g>")
    return out


def _unserved(project, place: Place) -> str:
    x, y = project(place)
    return (
        f'<circle class="unserved" cx="{x}" cy="{y}" r="6" fill="none" stroke="#C8161D" '
        f'stroke-width="2.5" stroke-dasharray="3 2"><title>{escape(place.label)}</title></circle>'
    )


def _star(project, depot: Place) -> str:
    x, y = project(depot)
    points = []
    for k in range(10):
        radius = 13 if k % 2 == 0 else 5.5
        angle = math.pi / 2 + k * math.pi / 5
        points.append(f"{x + radius * math.cos(angle):.1f},{y - radius * math.sin(angle):.1f}")
    return (
        f'<g class="depot"><polygon points="{" ".join(points)}" fill="#C8161D" '
        f'stroke="#fff" stroke-width="1.5"/><text x="{x + 15}" y="{y + 5}" font-size="16" '
        f'font-weight="700" fill="#C8161D">{escape(depot.label)}</text></g>'
    )


def _legend(data: MapData, *, top: float) -> list[str]:
    entries = [(colour(n), r.name, "line") for n, r in enumerate(data.routes)]
    if data.unserved:
        entries.append(("#C8161D", data.legend_unserved, "ring"))
    out = ['<g class="legend" font-size="15" fill="#2b2521">']
    col_w = (WIDTH - 2 * PAD) / 3
    for n, (stroke, name, kind) in enumerate(entries):
        x = PAD + (n % 3) * col_w
        y = top + (n // 3) * LEGEND_ROW + 10
        if kind == "line":
            out.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x + 22:.1f}" y2="{y}" stroke="{stroke}" '
                'stroke-width="4" stroke-linecap="round"/>'
            )
        else:
            out.append(
                f'<circle cx="{x + 11:.1f}" cy="{y}" r="6" fill="none" stroke="{stroke}" '
                'stroke-width="2.5" stroke-dasharray="3 2"/>'
            )
        out.append(f'<text x="{x + 30:.1f}" y="{y + 5}">{escape(name)}</text>')
    out.append("</g>")
    return out
