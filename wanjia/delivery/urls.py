from django.urls import path

from . import views

urlpatterns = [
    # who plans and watches
    path("console/delivery/", views.home, name="delivery_home"),
    path("console/delivery/m/<int:market_id>/couriers/", views.couriers, name="delivery_couriers"),
    path("console/delivery/couriers/<int:pk>/", views.courier_edit, name="delivery_courier_edit"),
    path("console/delivery/w/<int:window_id>/", views.window, name="delivery_window"),
    path("console/delivery/plan/<int:pk>/", views.plan, name="delivery_plan"),
    path("console/delivery/plan/<int:pk>/map.svg", views.plan_map, name="delivery_map"),
    path("console/delivery/plan/<int:pk>/sheets/", views.sheets, name="delivery_sheets"),
    path("console/delivery/plan/<int:pk>/board/", views.board, name="delivery_board"),
    # the courier on a phone
    path("console/delivery/mine/", views.mine, name="delivery_mine"),
    path("console/delivery/route/<int:pk>/", views.route, name="delivery_route"),
    path("console/delivery/route/<int:pk>/scan/", views.scan, name="delivery_scan"),
    path("console/delivery/d/<int:pk>/confirm/", views.confirm, name="delivery_confirm"),
    path("console/delivery/d/<int:pk>/fail/", views.fail, name="delivery_fail"),
    path("console/delivery/d/<int:pk>/photo.jpg", views.photo, name="delivery_photo"),
]
