from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = "Digests"

    def ready(self) -> None:
        # Fill the backlog's extension points (failed deliveries on the product settings page):
        # nothing below digests imports it.
        from . import pages

        pages.register()
