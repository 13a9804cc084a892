import pytest

from .world import build_world


@pytest.fixture
def world(db):
    """Products A (ALPHA) and B (BRAVO), each with one of everything (tests/suites/isolation/world.py)."""
    return build_world()
