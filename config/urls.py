"""Top-level URLs: each app brings its own, HTML and API alike."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("config.api_urls")),
    path("", include("backlog.urls")),
]
