from django.urls import path

from .views import categories, console, h5, reports

urlpatterns = [
    path("console/tickets/", console.home, name="tickets_home"),
    path("console/tickets/c/<int:compound_id>/", console.queue, name="tickets_queue"),
    path("console/tickets/c/<int:compound_id>/new/", console.new, name="tickets_new"),
    path("console/tickets/c/<int:compound_id>/export/", reports.export, name="tickets_export"),
    path(
        "console/tickets/c/<int:compound_id>/figures/", reports.figures_page, name="tickets_figures"
    ),
    path("console/tickets/categories/", categories.categories_home, name="tickets_categories_home"),
    path(
        "console/tickets/co/<int:company_id>/categories/",
        categories.categories,
        name="tickets_categories",
    ),
    path(
        "console/tickets/categories/<int:pk>/",
        categories.category_edit,
        name="tickets_category",
    ),
    path("console/tickets/t/<int:pk>/", console.ticket, name="tickets_ticket"),
    path("console/tickets/t/<int:pk>/print/", console.print_order, name="tickets_print"),
    path("console/tickets/t/<int:pk>/accept/", console.accept, name="tickets_accept"),
    path("console/tickets/t/<int:pk>/assign/", console.assign, name="tickets_assign"),
    path("console/tickets/t/<int:pk>/start/", console.start, name="tickets_start"),
    path("console/tickets/t/<int:pk>/done/", console.done, name="tickets_done"),
    path("console/tickets/t/<int:pk>/visit/", console.visit, name="tickets_visit"),
    path("tickets/photos/<int:pk>/", h5.photo, name="tickets_photo"),
    path("h5/tickets/", h5.my_list, name="tickets_h5_list"),
    path("h5/tickets/new/", h5.report, name="tickets_h5_new"),
    path("h5/tickets/work/", h5.work, name="tickets_h5_work"),
    path("h5/tickets/<int:pk>/", h5.ticket, name="tickets_h5_ticket"),
    path("h5/tickets/<int:pk>/rate/", h5.rate, name="tickets_h5_rate"),
    path("h5/tickets/<int:pk>/follow/", h5.follow, name="tickets_h5_follow"),
    path("h5/tickets/<int:pk>/cancel/", h5.cancel, name="tickets_h5_cancel"),
]
