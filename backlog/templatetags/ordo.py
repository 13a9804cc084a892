"""Template filters of the backlog app: `{% load ordo %}`."""

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString

from backlog import extensions
from backlog.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown", is_safe=True)
def markdown_filter(text: str | None) -> SafeString:
    """Render Markdown safely: `{{ item.description|markdown }}`."""
    return render_markdown(text)


# A key no item has (numbers start at 1): reversed once per URL and script prefix, then swapped
# for real keys. The backlog page links 100 rows three times; {% url %} costs ~25 µs a link,
# about a seventh of the page, for a result that differs only in the key.
_SENTINEL_KEY = "ZZ-0"
_ITEM_URLS: dict[tuple[str, str], str] = {}


@register.filter
def item_url(key: str, name: str) -> str:
    """The URL of an item page or action by its key: `{{ item.key|item_url:"move" }}` is
    `{% url 'backlog:item-move' item.key %}`, made without resolving the URL each time."""
    cache_key = (name, get_script_prefix())
    pattern = _ITEM_URLS.get(cache_key)
    if pattern is None:
        pattern = _ITEM_URLS[cache_key] = reverse(f"backlog:item-{name}", args=[_SENTINEL_KEY])
    # Item keys are [A-Z0-9-] (ITEM_KEY_PATTERN): nothing in them needs quoting in a path.
    return pattern.replace(_SENTINEL_KEY, str(key), 1)


@register.filter
def points(value: int | None) -> str:
    """An estimate as shown in lists: the number, or an en dash when there is none."""
    return "–" if value is None else str(value)


@register.simple_tag
def product_tabs(product, current: str = "") -> list[dict]:
    """Tabs that higher apps add to the product navigation (see backlog.extensions)."""
    return [
        {
            "label": tab.label,
            "url": reverse(tab.url_name, args=[product.key]),
            "current": current in tab.current.split(),
        }
        for tab in extensions.product_tabs()
    ]
