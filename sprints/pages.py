"""What the sprints pages add to the backlog pages: product tabs, and on an item made from
review feedback, a link back to that feedback (the feedback links to the item)."""

from backlog.extensions import Panel, ProductTab, register_item_panel, register_product_tab

from .models import Feedback


def feedback_origin_panel(*, item, user) -> dict | None:
    """The review feedback this item was made from, if any (the item page's side of the link)."""
    origin = Feedback.objects.select_related("sprint", "author").filter(became=item).first()
    return {"feedback": origin} if origin else None


def register() -> None:
    """Register the sprints tabs and panels with backlog.extensions."""
    # `current` names the sprints pages that belong under each tab, so it shows as the page the
    # user is on.
    register_product_tab(ProductTab(label="Sprints", url_name="sprints:sprint-list", order=10, current="sprints"))
    register_product_tab(ProductTab(label="Velocity", url_name="sprints:velocity", order=20, current="velocity"))
    register_product_tab(ProductTab(label="What we learned", url_name="sprints:lessons", order=30, current="lessons"))
    register_item_panel(Panel("sprints/_feedback_origin_panel.html", feedback_origin_panel, order=60))
