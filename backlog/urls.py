"""HTML URLs."""

from django.urls import path

app_name = "backlog"
urlpatterns: list = []
