"""/api/v1/: the schema and docs, then each app's API, then a JSON 404 for everything else.

Routes take their trailing slash as optional (config.api.api_path): Django's APPEND_SLASH cannot
redirect a POST, and an API client should not have to care."""

from csp.decorators import csp_update
from django.urls import include, re_path
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.views import APIView

from config import openapi  # noqa: F401 - registers how the schema documents input bodies
from config.api import api_path


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class SwaggerDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's strict Content-Security-Policy: our own page with no inline
    style or script, the sidecar's static assets, and the init script loaded from this view's
    `?script` URL. Swagger UI's stylesheet draws its icons as data: URIs, allowed on this page only."""

    template_name = "api/swagger.html"


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Anything under /api/v1/ that no route matches: a JSON 404, not the HTML page."""

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("No such API endpoint.")

    # Every method, OPTIONS and unknown ones too: no route is no route (APIView would describe
    # this view to OPTIONS and answer TRACE or PROPFIND with a 405, as if something were here).
    post = put = patch = delete = options = http_method_not_allowed = get


urlpatterns = [
    api_path(r"^schema/$", SpectacularAPIView.as_view(), name="api-schema"),
    api_path(r"^docs/$", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^", include("accounts.api.urls")),
    re_path(r"^", include("backlog.api.urls")),
    re_path(r"^", include("sprints.api.urls")),
    re_path(r"^", include("digests.api.urls")),
    # Whatever the rest of the path holds: `.` does not match a newline, so `^.*$` let
    # /api/v1/items/SHOP-1%0A/ through to the HTML 404. (Not `(?s:.*)`: Django's reverse() cannot
    # read inline flags.)
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="api-not-found"),
]
