from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("scheduler.public.urls")),
    path("", include("scheduler.web.urls")),
]
