"""API URLs of the sprints app."""

urlpatterns: list = []
