from django.apps import AppConfig


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = "Sprints"

    def ready(self) -> None:
        # Fill the backlog's extension points: the backlog never imports sprints.
        from . import forecast_display, pages

        pages.register()
        forecast_display.register()
