"""The one set of test personas, shared by the API, web and security suites.

An administrator, the coordinator of site A, the coordinator of site B, a consultant at site A, an outsider
(a logged-in user with no role), anonymous, and a citizen's secret link. Each suite builds its own small
centre and then its personas with `personas_create`; web clients log in, API clients send a bearer token.
"""
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from api.auth import api_token_create
from rooms.models import Site
from scheduler.models import Citizen, Consultant, Coordinator
from scheduler.publishing.tokens import IssuedLink, feed_token_issue

PERSONAS = ("admin", "coord_a", "coord_b", "consultant", "outsider", "anonymous")
# Not the demo centre's user names (admin, koordinator, konsulent): some tests use both.
USERNAMES = {"admin": "p-admin", "coord_a": "koord-a", "coord_b": "koord-b", "consultant": "konsulent-a",
             "outsider": "udenforstaaende"}


class Api:
    """A JSON client with a bearer token (or none)."""

    def __init__(self, token: str | None) -> None:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(**extra)

    def _send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {"content_type": "application/json", **headers}
        if body is not None:
            kwargs["data"] = json.dumps(body, default=str)
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("post", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("patch", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("put", path, body, **headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


@dataclass
class Personas:
    users: dict[str, AbstractBaseUser]  # every persona but anonymous
    tokens: dict[str, str] = field(default_factory=dict)  # API bearer tokens, every persona but anonymous

    def web(self, persona: str) -> Client:
        """A browser session of the persona (logged in unless anonymous)."""
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client

    def api(self, persona: str) -> Api:
        return Api(None if persona == "anonymous" else self.tokens[persona])


def personas_create(*, site_a: Site, site_b: Site, consultant_a: Consultant) -> Personas:
    """The users behind the personas: coordinators of A and B, `consultant_a`'s login, an admin, an outsider."""
    users = get_user_model().objects
    found = {"admin": users.create_superuser(USERNAMES["admin"], password=None)}
    found |= {name: users.create_user(USERNAMES[name]) for name in ("coord_a", "coord_b", "consultant", "outsider")}
    Coordinator.objects.create(user=found["coord_a"]).sites.set([site_a])
    Coordinator.objects.create(user=found["coord_b"]).sites.set([site_b])
    consultant_a.user = found["consultant"]
    consultant_a.save(update_fields=["user"])
    tokens = {name: api_token_create(user=user, name=name)[1] for name, user in found.items()}
    return Personas(users=found, tokens=tokens)


def citizen_link(citizen: Citizen) -> IssuedLink:
    """The citizen's own secret link (their page, PDF and calendar feed)."""
    return feed_token_issue(owner=citizen)
