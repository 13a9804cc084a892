from django.apps import AppConfig


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = "Sprints"

    def ready(self) -> None:
        # Fill the backlog's extension points: the backlog never imports sprints.
        from backlog import extensions

        from . import forecast_display, pages
        from .services import check_item_edit

        pages.register()
        forecast_display.register()
        extensions.register_item_edit_check(check_item_edit)
