"""The schema's pattern for single-line text (config.text.SINGLE_LINE_PATTERN) refuses exactly the
characters the services refuse, so the schema and the API agree on every character."""

import re

from config.text import SINGLE_LINE_PATTERN, control_characters


def test_the_pattern_refuses_exactly_what_a_single_line_field_refuses():
    pattern = re.compile(SINGLE_LINE_PATTERN)
    # Cc, Zl and Zp all lie in the Basic Multilingual Plane; surrogates are not characters.
    characters = (chr(point) for point in range(0x10000) if not 0xD800 <= point <= 0xDFFF)
    disagree = [
        f"U+{ord(char):04X}"
        for char in characters
        if (pattern.fullmatch(char) is None) != bool(control_characters(char))
    ]
    assert disagree == []


def test_the_pattern_takes_a_whole_title_with_a_tab_and_refuses_one_with_a_line_break():
    assert re.fullmatch(SINGLE_LINE_PATTERN, "Checkout\ton one page")
    assert not re.fullmatch(SINGLE_LINE_PATTERN, "Checkout\non one page")
