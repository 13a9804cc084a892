"""API URLs of the digests app (under /api/v1/), trailing slashes optional as everywhere."""

from config.api import api_path

from . import views

PRODUCT = r"products/(?P<key>[A-Za-z0-9]{1,10})"

urlpatterns = [
    api_path(rf"^{PRODUCT}/digest/$", views.DigestView.as_view(), name="api-digest"),
    api_path(rf"^{PRODUCT}/digest/subscription/$", views.SubscriptionView.as_view(), name="api-digest-subscription"),
]
