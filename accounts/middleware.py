from django.utils import timezone

from .models import zone_named


class TimezoneMiddleware:
    """Show times, and count days, in the signed-in user's own time zone. (An API token is read
    later, by DRF: ApiTokenAuthentication activates its user's zone itself.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_named(user.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # Leave nothing behind in this thread (a worker or a test that runs next).
            timezone.deactivate()
