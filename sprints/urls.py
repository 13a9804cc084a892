"""HTML URLs of the sprints app (namespace `sprints`)."""

app_name = "sprints"
urlpatterns: list = []
