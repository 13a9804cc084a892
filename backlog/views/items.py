"""HTML views: items."""

urlpatterns: list = []
