"""The forecast shown on the backlog and item pages, through backlog.extensions."""


def register() -> None:
    """Register the forecast panels and row markers with backlog.extensions."""
