from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from wanjia.api import api
from wanjia.core.views import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Django's language switch, which also keeps the choice on the user's account
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("wanjia.core.urls")),
    path("", include("wanjia.estates.urls")),
    path("", include("wanjia.estates.urls_io")),
    path("", include("wanjia.party.urls")),
    path("", include("wanjia.disputes.urls")),
    path("", include("wanjia.market.urls")),
    path("", include("wanjia.delivery.urls")),
    path("", include("wanjia.patrol.urls")),
    path("", include("wanjia.care.urls")),
    path("", include("wanjia.tickets.urls")),
    path("", include("wanjia.conveniences.urls")),
    path("", include("wanjia.volunteers.urls")),
    path("", include("wanjia.emergency.urls")),
    path("", include("wanjia.feedback.urls")),
    path("", include("wanjia.supervision.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "wanjia.core.views.bad_request"
handler403 = "wanjia.core.views.permission_denied"
handler404 = "wanjia.core.views.page_not_found"
handler500 = "wanjia.core.views.server_error"
