"""POST /api/v1/auth/token/: trade an email and password for a personal API token."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.lockout import forget_failures, lockout_response
from config.api import error_responses, parse
from config.errors import InvalidInput

from .serializers import TokenRequestSerializer, TokenSerializer

BAD_CREDENTIALS = "The email address and password do not match an account."


class TokenView(APIView):
    # Public: the credentials are in the body. No session authentication either, so a browser's
    # session cookie neither helps nor demands a CSRF token here.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Create a personal API token",
        description=(
            "Trade an email address and password for a new personal API token (shown once). "
            "Wrong credentials are a 400 that does not say whether the address has an account. "
            "Repeated failures for one account from one address (here or in the login form) lock "
            "that pair out for a while: 429."
        ),
        request=TokenRequestSerializer,
        responses={201: TokenSerializer, **error_responses(400, 415, 429)},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        data = parse(TokenRequestSerializer, request.data)
        # The Django request, so django-axes counts this attempt against (email, address) just
        # like the login form does.
        user = authenticate(request=request._request, username=data["email"], password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request)
        if user is None:
            raise InvalidInput(BAD_CREDENTIALS, code="invalid_credentials")
        forget_failures(request._request, data["email"])
        token, secret = services.create_api_token(by=user, name=data.get("name", ""))
        return Response(TokenSerializer({"token": secret, "name": token.name}).data, status=status.HTTP_201_CREATED)
