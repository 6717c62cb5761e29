from django.urls import path

from .views import console, h5

urlpatterns = [
    path("console/conveniences/", console.home, name="conv_home"),
    path("console/conveniences/c/<int:compound_id>/", console.compound, name="conv_compound"),
    path("console/conveniences/c/<int:compound_id>/day/", console.day, name="conv_day"),
    path(
        "console/conveniences/c/<int:compound_id>/day.xlsx", console.day_xlsx, name="conv_day_xlsx"
    ),
    path(
        "console/conveniences/c/<int:compound_id>/day/print/",
        console.day_print,
        name="conv_day_print",
    ),
    path("console/conveniences/c/<int:compound_id>/book/", console.book_for, name="conv_book_for"),
    path("console/conveniences/c/<int:compound_id>/print/", console.print_queue, name="conv_print"),
    path(
        "console/conveniences/c/<int:compound_id>/suspensions/",
        console.suspensions,
        name="conv_suspensions",
    ),
    path("console/conveniences/s/<int:pk>/", console.service, name="conv_service"),
    path("console/conveniences/b/<int:pk>/mark/", console.mark, name="conv_mark"),
    path("console/conveniences/b/<int:pk>/cancel/", console.cancel, name="conv_cancel"),
    path("console/conveniences/b/<int:pk>/printed/", console.printed, name="conv_printed"),
    path("console/conveniences/b/<int:pk>/file/", console.print_file, name="conv_file"),
    path("console/conveniences/suspensions/<int:pk>/lift/", console.lift, name="conv_lift"),
    path("h5/conveniences/", h5.home, name="conv_h5_home"),
    path("h5/conveniences/s/<int:pk>/", h5.service, name="conv_h5_service"),
    path("h5/conveniences/slots/<int:pk>/book/", h5.book, name="conv_h5_book"),
    path("h5/conveniences/b/<int:pk>/cancel/", h5.cancel, name="conv_h5_cancel"),
    path("h5/conveniences/b/<int:pk>/change/", h5.change, name="conv_h5_change"),
]
