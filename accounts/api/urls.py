"""API URLs of accounts (under /api/v1/); the trailing slash is optional (config.api.api_path)."""

from config.api import api_path

from .views import TokenView

urlpatterns = [
    api_path(r"^auth/token/$", TokenView.as_view(), name="api-auth-token"),
]
