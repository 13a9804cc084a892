"""The project's URLs plus the plain view the items API is compared with."""

from django.urls import include, path

from .views import plain_items

urlpatterns = [
    path("bench/plain/<str:key>/items/", plain_items, name="bench-plain-items"),
    path("", include("config.urls")),
]
