from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Prepare a demo: an admin user with a fresh password, printed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        action = "Created" if created else "Reset the password of"
        self.stdout.write(
            self.style.SUCCESS(f"{action} the admin user.")
            + f"\n  Admin:    http://127.0.0.1:8000/admin/"
            f"\n  Username: {username}\n  Password: {password}"
        )
