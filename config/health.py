"""/healthz: the load balancer's and docker's check that the web tier can reach its database."""

from django.db import connection
from django.http import HttpResponse, JsonResponse

from config.errors import RETRY_AFTER_SECONDS


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        response = JsonResponse({"status": "unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok", content_type="text/plain")
