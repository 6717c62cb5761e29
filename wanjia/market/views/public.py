"""The public price board (平价格): our price beside the market reference, for
the screen at the gate, the WeChat group and the notice board. Deliberately
public: prices are what the market promises everybody, and nothing personal
is on it."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..selectors import offers_of


def _board_window(market):
    """The window on sale now, else the latest published one."""
    return selectors.board_window(market)


def price_board(request, market_id):
    market = selectors.board_market(market_id)
    if market is None:
        raise Http404
    window = _board_window(market)
    rows = []
    for offer in offers_of(window) if window else []:
        saving = offer.reference_price - offer.price
        rows.append(
            {
                "offer": offer,
                "saving": saving,
                "percent": int(offer.price * 100 / offer.reference_price)
                if offer.reference_price
                else None,
            }
        )
    return render(
        request,
        "market/board.html",
        {"market": market, "window": window, "rows": rows, "now": timezone.now()},
    )
