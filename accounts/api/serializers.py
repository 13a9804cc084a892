"""Token endpoint: input validated here, the token created by accounts.services."""

from rest_framework import serializers

from config.api import InputSerializer, OutputSerializer, SingleLineField


class TokenRequestSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=1024, trim_whitespace=False, style={"input_type": "password"})
    name = SingleLineField(
        max_length=100, required=False, allow_blank=True, help_text="A name to tell the token apart later."
    )


class TokenSerializer(OutputSerializer):
    token = serializers.CharField(help_text="The secret: send it as `Authorization: Token <secret>`. Shown once.")
    name = serializers.CharField()
