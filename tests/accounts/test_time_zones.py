"""Time zones by name, safely. (Whose zone counts a request's days: tests/sprints/test_numbers.py.)"""

import zoneinfo
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from accounts.models import time_zone_choices, time_zone_names, validate_time_zone, zone_named


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../../etc/passwd"])
def test_an_unknown_zone_is_utc(name):
    assert zone_named(name) == ZoneInfo("UTC")


def test_a_known_zone_is_that_zone():
    assert zone_named("Pacific/Auckland") == ZoneInfo("Pacific/Auckland")


def test_the_tzdata_tree_is_read_once_however_often_zones_are_listed_or_checked():
    """Listing the zones opens every file of tzdata; the profile form lists them on every request."""
    time_zone_names.cache_clear()
    with mock.patch("zoneinfo.available_timezones", wraps=zoneinfo.available_timezones) as scan:
        time_zone_choices()
        validate_time_zone("Europe/Berlin")
        time_zone_choices()
    assert scan.call_count == 1
