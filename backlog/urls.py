"""HTML URLs of the backlog app (namespace `backlog`)."""

from .views import goals, invitations, items, products

app_name = "backlog"
urlpatterns = [*products.urlpatterns, *invitations.urlpatterns, *items.urlpatterns, *goals.urlpatterns]
