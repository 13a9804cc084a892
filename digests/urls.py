from .views import urlpatterns

app_name = "digests"

__all__ = ["urlpatterns"]
