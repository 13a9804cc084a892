"""The accessibility suite's page table covers the URL configuration: a new page without an
entry fails here, before anyone has to remember to check it with axe."""

from django.urls import get_resolver

from tests.suites.a11y.pages import NOT_PAGES, PAGES
from tests.test_permission_matrix import MATRIX, _url_names


def _pages_of_the_url_configuration() -> set[str]:
    """URL names that answer a GET with a page: the matrix's HTML GETs, and every name outside
    the matrix (signed links, signing in, the API docs) unless it is listed as no page."""
    names = set(_url_names(get_resolver().url_patterns))
    in_matrix = {
        name
        for name in names & set(MATRIX)
        if not name.startswith("api-") and any(spec[0] == "get" for spec in MATRIX[name])
    }
    return in_matrix | (names - set(MATRIX) - set(NOT_PAGES))


def test_every_page_of_the_url_configuration_has_an_entry_in_the_page_table():
    pages = _pages_of_the_url_configuration()
    missing, stale = pages - set(PAGES), set(PAGES) - pages
    assert not missing, f"Pages the accessibility suite does not visit: {sorted(missing)}"
    assert not stale, f"Page-table entries for no page of the URL configuration: {sorted(stale)}"


def test_every_name_listed_as_no_page_is_in_the_url_configuration():
    assert set(NOT_PAGES) <= set(_url_names(get_resolver().url_patterns))


def test_every_page_state_has_its_own_label():
    labels = [page.label for pages in PAGES.values() for page in pages]
    assert len(labels) == len(set(labels))
