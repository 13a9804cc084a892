"""Your digest of a product, and your subscription to it."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog.permissions import Action, access_product_for_user
from config.api import error_responses, parse

from .. import selectors, services
from .serializers import DigestSerializer, SubscriptionInputSerializer, SubscriptionSerializer

PRODUCT_KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Product key, e.g. SHOP.")


@extend_schema(parameters=[PRODUCT_KEY], tags=["digests"])
class DigestView(APIView):
    @extend_schema(
        operation_id="digest_retrieve",
        summary="Your next digest of the product",
        description=(
            "What your next digest email would say, as JSON: computed as you, from what you may read (a "
            "stakeholder's digest never holds retrospective content). Changes are since the last digest you were "
            "sent. Reading it changes nothing: it is not a delivery."
        ),
        responses={200: DigestSerializer, **error_responses(401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key, Action.SUBSCRIBE)
        return Response(DigestSerializer(selectors.build_digest(request.user, product)).data)


def _subscription_data(preference) -> dict:
    return SubscriptionSerializer(preference).data


@extend_schema(parameters=[PRODUCT_KEY], tags=["digests"])
class SubscriptionView(APIView):
    @extend_schema(
        operation_id="digest_subscription_retrieve",
        summary="Your digest subscription to the product",
        responses={200: SubscriptionSerializer, **error_responses(401, 404)},
    )
    def get(self, request, key):
        product = access_product_for_user(request.user, key, Action.SUBSCRIBE)
        return Response(_subscription_data(selectors.preference_of(request.user, product)))

    @extend_schema(
        operation_id="digest_subscription_update",
        summary="Change your digest subscription to the product",
        description=(
            "`frequency` is required; `weekday`, `hour` and `send_when_quiet` keep their current values when left "
            "out. A changed schedule starts from now: no digest is sent for a slot that has already passed."
        ),
        request=SubscriptionInputSerializer,
        responses={200: SubscriptionSerializer, **error_responses(400, 401, 404)},
    )
    def put(self, request, key):
        product = access_product_for_user(request.user, key, Action.SUBSCRIBE)
        data = parse(SubscriptionInputSerializer, request.data)
        current = selectors.preference_of(request.user, product)
        services.update_subscription(
            user=request.user,
            product=product,
            frequency=data["frequency"],
            weekday=data.get("weekday", current.weekday),
            hour=data.get("hour", current.hour),
            send_when_quiet=data.get("send_when_quiet", current.send_when_quiet),
        )
        return Response(_subscription_data(selectors.preference_of(request.user, product)))
