from django.urls import path

from .views import console, floor, public, resident

urlpatterns = [
    # residents (H5)
    path("h5/market/", resident.h5_home, name="market_h5_home"),
    path("h5/market/w/<int:window_id>/", resident.h5_window, name="market_h5_window"),
    path("h5/market/w/<int:window_id>/cart/", resident.h5_cart, name="market_h5_cart"),
    path("h5/market/w/<int:window_id>/place/", resident.h5_place, name="market_h5_place"),
    path("h5/market/orders/", resident.h5_orders, name="market_h5_orders"),
    path("h5/market/orders/<int:pk>/", resident.h5_order, name="market_h5_order"),
    path("h5/market/orders/<int:pk>/change/", resident.h5_change, name="market_h5_change"),
    path("h5/market/orders/<int:pk>/cancel/", resident.h5_cancel, name="market_h5_cancel"),
    # public price board
    path("market/<int:market_id>/prices/", public.price_board, name="market_board"),
    # console: setting up
    path("console/market/", console.market_list, name="market_home"),
    path("console/market/new/", console.market_create, name="market_create"),
    path("console/market/<int:market_id>/", console.market_detail, name="market_detail"),
    path(
        "console/market/<int:market_id>/settings/", console.market_settings, name="market_settings"
    ),
    path("console/market/<int:market_id>/suppliers/", console.suppliers, name="market_suppliers"),
    path("console/market/<int:market_id>/catalog/", console.catalog, name="market_catalog"),
    path("console/market/<int:market_id>/prices/", console.prices, name="market_prices"),
    path(
        "console/market/<int:market_id>/prices/template.xlsx",
        console.prices_template,
        name="market_prices_template",
    ),
    path(
        "console/market/<int:market_id>/windows/new/", console.window_new, name="market_window_new"
    ),
    # console: a window
    path("console/market/w/<int:window_id>/", console.window_detail, name="market_window"),
    path("console/market/w/<int:window_id>/offers/", console.offer_add, name="market_offer_add"),
    path(
        "console/market/w/<int:window_id>/offers/<int:offer_id>/remove/",
        console.offer_remove,
        name="market_offer_remove",
    ),
    path(
        "console/market/w/<int:window_id>/offers/<int:offer_id>/restock/",
        console.offer_restock,
        name="market_offer_restock",
    ),
    path(
        "console/market/w/<int:window_id>/price-hint/", console.price_hint, name="market_price_hint"
    ),
    path("console/market/w/<int:window_id>/slots/", console.slot_add, name="market_slot_add"),
    path("console/market/w/<int:window_id>/open/", console.window_open, name="market_window_open"),
    path(
        "console/market/w/<int:window_id>/close/", console.window_close, name="market_window_close"
    ),
    # console: orders, 代下单, payments
    path("console/market/w/<int:window_id>/orders/", floor.window_orders, name="market_orders"),
    path("console/market/w/<int:window_id>/order-for/", floor.order_for, name="market_order_for"),
    path(
        "console/market/w/<int:window_id>/order-for/place/",
        floor.order_for_place,
        name="market_order_for_place",
    ),
    path("console/market/orders/<int:pk>/", floor.staff_order, name="market_staff_order"),
    path("console/market/orders/<int:pk>/pay/", floor.staff_order_pay, name="market_order_pay"),
    path(
        "console/market/orders/<int:pk>/cancel/",
        floor.staff_order_cancel,
        name="market_order_cancel",
    ),
    # console: purchase, receiving, sorting, report
    path("console/market/w/<int:window_id>/purchase/", floor.purchase, name="market_purchase"),
    path(
        "console/market/w/<int:window_id>/purchase.xlsx",
        floor.purchase_xlsx,
        name="market_purchase_xlsx",
    ),
    path(
        "console/market/w/<int:window_id>/purchase/<int:po_id>/sent/",
        floor.purchase_sent,
        name="market_purchase_sent",
    ),
    path("console/market/w/<int:window_id>/receiving/", floor.receiving, name="market_receiving"),
    path(
        "console/market/w/<int:window_id>/receiving/<int:line_id>/",
        floor.receiving_line,
        name="market_receiving_line",
    ),
    path(
        "console/market/w/<int:window_id>/receiving/finish/",
        floor.receiving_finish,
        name="market_receiving_finish",
    ),
    path("console/market/w/<int:window_id>/picklists/", floor.picklists, name="market_picklists"),
    path("console/market/w/<int:window_id>/labels/", floor.labels, name="market_labels"),
    path("console/market/w/<int:window_id>/bags.xlsx", floor.bags_xlsx, name="market_bags_xlsx"),
    path("console/market/w/<int:window_id>/sorting/", floor.sorting, name="market_sorting"),
    path("console/market/w/<int:window_id>/report/", floor.report, name="market_report"),
    path("console/market/bags/<int:pk>/pack/", floor.bag_pack, name="market_bag_pack"),
    path("console/market/bags/<int:pk>/unpack/", floor.bag_unpack, name="market_bag_unpack"),
    path(
        "console/market/bags/<int:pk>/hand-over/", floor.bag_hand_over, name="market_bag_hand_over"
    ),
    path("console/market/bag/<str:code>/", floor.bag, name="market_bag"),
]
