"""HTML views: products."""

urlpatterns: list = []
