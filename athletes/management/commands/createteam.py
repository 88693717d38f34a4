"""manage.py createteam NAME --admin EMAIL: start a new club on a fresh install."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from athletes.invitations import create_invitation
from athletes.models import Role, Team


def unique_slug(name: str) -> str:
    """The team's slug from its name, numbered when another team has it."""
    base = slugify(name)[:50] or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class Command(BaseCommand):
    help = (
        "Create a team and an invitation for its first team admin; prints the one-time link "
        "(also e-mailed to the address)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The team's name, e.g. 'Riverside Sprint Squad'.")
        parser.add_argument(
            "--admin", required=True, metavar="EMAIL", help="The team admin's e-mail."
        )

    def handle(self, *args, name, admin, **options):
        name = name.strip()
        if not name or len(name) > Team._meta.get_field("name").max_length:
            raise CommandError("Give the team a name of 1 to 120 characters.")
        try:
            validate_email(admin)
        except ValidationError:
            raise CommandError(f"{admin!r} is not an e-mail address.") from None
        with transaction.atomic():
            if Team.objects.filter(name__iexact=name).exists():
                raise CommandError(f"A team named {name!r} exists already: choose another name.")
            team = Team.objects.create(name=name, slug=unique_slug(name))
            link = create_invitation(by=None, team=team, role=Role.ADMIN, email=admin)
        self.stdout.write(f"Created team {team.name} ({team.slug}).")
        self.stdout.write(
            f"Team admin invitation for {admin} (works once, until "
            f"{link.invitation.expires_at:%Y-%m-%d %H:%M} UTC):"
        )
        self.stdout.write(link.url)
