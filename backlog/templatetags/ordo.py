"""Template filters of the backlog app: `{% load ordo %}`."""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from backlog import extensions
from backlog.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown", is_safe=True)
def markdown_filter(text: str | None) -> SafeString:
    """Render Markdown safely: `{{ item.description|markdown }}`."""
    return render_markdown(text)


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
