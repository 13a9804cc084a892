"""What the sprints pages add to the backlog pages (product tabs)."""


def register() -> None:
    """Register the sprints tabs with backlog.extensions."""
