"""Time zones by name, safely. (Whose zone counts a request's days: tests/sprints/test_numbers.py.)"""

from zoneinfo import ZoneInfo

import pytest

from accounts.models import zone_named


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../../etc/passwd"])
def test_an_unknown_zone_is_utc(name):
    assert zone_named(name) == ZoneInfo("UTC")


def test_a_known_zone_is_that_zone():
    assert zone_named("Pacific/Auckland") == ZoneInfo("Pacific/Auckland")
