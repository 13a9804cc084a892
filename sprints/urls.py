"""HTML URLs of the sprints app (namespace `sprints`). Each views module brings its own."""

from .views import board, retro, review, sprints

app_name = "sprints"
urlpatterns = [*sprints.urlpatterns, *board.urlpatterns, *review.urlpatterns, *retro.urlpatterns]
