"""HTML URLs of the backlog app (namespace `backlog`)."""

from .views import goals, items, products

app_name = "backlog"
urlpatterns = [*products.urlpatterns, *items.urlpatterns, *goals.urlpatterns]
