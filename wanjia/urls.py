from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from wanjia.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("wanjia.core.urls")),
    path("", include("wanjia.estates.urls")),
    path("", include("wanjia.estates.urls_io")),
    path("", include("wanjia.party.urls")),
    path("", include("wanjia.disputes.urls")),
    path("", include("wanjia.market.urls")),
    path("", include("wanjia.delivery.urls")),
    path("", include("wanjia.patrol.urls")),
    path("", include("wanjia.care.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "wanjia.core.views.bad_request"
handler403 = "wanjia.core.views.permission_denied"
handler404 = "wanjia.core.views.page_not_found"
handler500 = "wanjia.core.views.server_error"
