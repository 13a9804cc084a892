"""Template filters of the backlog app: `{% load ordo %}`."""

from django import template
from django.utils.safestring import SafeString

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
