import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """A deliberately slow hash costs ~0.4 s per sign-in attempt; these tests make dozens."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
