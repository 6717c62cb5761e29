from django.urls import path

from .views import after, compound, console, stock

urlpatterns = [
    path("console/emergency/", console.home, name="emergency_home"),
    path("console/emergency/stock/", stock.stock_page, name="emergency_stock"),
    path("console/emergency/new/", console.event_new, name="emergency_new"),
    path("console/emergency/events/<int:pk>/", console.board, name="emergency_board"),
    path("console/emergency/events/<int:pk>/close/", console.close, name="emergency_close"),
    path(
        "console/emergency/events/<int:pk>/directives/",
        console.directive_new,
        name="emergency_directive_new",
    ),
    path(
        "emergency/directives/<int:pk>/file/",
        console.directive_file,
        name="emergency_directive_file",
    ),
    path(
        "console/emergency/affected/<int:pk>/materials/",
        compound.material_new,
        name="emergency_material_new",
    ),
    path(
        "console/emergency/materials/<int:pk>/move/",
        console.material_move,
        name="emergency_material_move",
    ),
    path("console/emergency/receipts/<int:pk>/ack/", compound.receipt_ack, name="emergency_ack"),
    path(
        "console/emergency/events/<int:pk>/after/", after.event_after, name="emergency_after_event"
    ),
    path(
        "console/emergency/affected/<int:pk>/after/", after.compound_after, name="emergency_after"
    ),
    path(
        "console/emergency/affected/<int:pk>/nominate/", after.nominate, name="emergency_nominate"
    ),
    path("console/emergency/after/<int:pk>/review/", after.review, name="emergency_after_review"),
    path(
        "console/emergency/events/<int:pk>/after.xlsx",
        after.event_after_xlsx,
        name="emergency_after_xlsx",
    ),
    path("console/emergency/affected/<int:pk>/", compound.compound_page, name="emergency_compound"),
    path("console/emergency/affected/<int:pk>/report/", compound.report, name="emergency_report"),
    path("console/emergency/items/<int:pk>/done/", compound.item_done, name="emergency_item_done"),
    path("console/emergency/items/<int:pk>/photo/", compound.item_photo, name="emergency_photo"),
    path("console/emergency/roll/<int:pk>/", compound.roll_answer, name="emergency_roll_answer"),
]
