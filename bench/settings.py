"""The project's settings with the benchmark's URLs on top (the plain comparison view)."""

import warnings

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The bench serves no static files; whitenoise's warning about the missing collectstatic output
# would only clutter the table.
warnings.filterwarnings("ignore", message=r"No directory at: .*staticfiles")
