"""Run the digest tick once, in this process: what beat does every few minutes. Without
REDIS_URL the deliveries are sent right here too (emails under var/mail/ in debug)."""

from django.core.management.base import BaseCommand

from digests.tasks import tick


class Command(BaseCommand):
    help = "Plan the digests that are due and hand them out (once)."

    def handle(self, *args, **options):
        result = tick()
        self.stdout.write(
            f"Planned {result['planned']}, reclaimed {result['reclaimed']}, queued {result['queued']} deliveries."
        )
