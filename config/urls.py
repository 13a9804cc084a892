"""Top-level URLs: each app brings its own, HTML and API alike."""

from django.contrib import admin
from django.urls import include, path

from config.health import healthz

# A request Django refuses before any view (a body over DATA_UPLOAD_MAX_MEMORY_SIZE): JSON under
# /api/, Ordo's page elsewhere.
handler400 = "config.errors.bad_request"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("config.api_urls")),
    path("", include("digests.urls")),
    path("", include("sprints.urls")),
    path("", include("backlog.urls")),
]
