from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontline.accounts.models import ApiToken, User
from frontline.accounts.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API bearer tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token for a user and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="")
        listing = actions.add_parser("list", help="List a user's tokens (prefixes only).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix or clear text.")
        revoke.add_argument("token")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            user = self._user(options["username"])
            _, clear = token_create(user=user, name=options["name"])
            self.stdout.write(clear)
        elif options["action"] == "list":
            for token in ApiToken.objects.filter(user=self._user(options["username"])):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.prefix}…\t{token.name}\t{token.created_at:%Y-%m-%d}\t{state}"
                )
        else:
            prefix = options["token"][:10]
            tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
            if len(tokens) != 1:
                raise CommandError("No single active token matches that prefix.")
            token_revoke(token=tokens[0])
            self.stdout.write(f"revoked {tokens[0].prefix}…")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
