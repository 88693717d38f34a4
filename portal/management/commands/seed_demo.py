from django.core.management.base import BaseCommand

from portal.demo import PASSWORD, load_demo, reset_demo


class Command(BaseCommand):
    help = "Load the demo teams, people and eight weeks of data (once; --reset to reload)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Remove the demo teams and users, then load again."
        )

    def handle(self, *args, reset=False, **options):
        if reset:
            reset_demo()
        if load_demo():
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present; nothing changed (use --reset to reload).")
        self.stdout.write(
            f"Demo logins (password '{PASSWORD}'): coach, clinician, athlete; outsider team: coach2"
        )
