"""Pages about one cadre that other apps offer on the cadre's file (考核记录, 职级晋升资格,
健康档案 …). The core knows no app: each app registers its links when it loads
(`AppConfig.ready`), with the test of who may follow them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class CadreLink:
    label: str
    url_name: str
    allowed: Callable  # allowed(user) -> bool


_links: list[CadreLink] = []


def register_cadre_link(label, url_name, allowed):
    """Offer the page `url_name` (taking the cadre's pk) on every cadre file, to the users
    `allowed(user)` approves; the page itself still checks the cadre is in their scope."""
    link = CadreLink(label, url_name, allowed)
    if link not in _links:
        _links.append(link)


def cadre_links(user, cadre) -> list[tuple[str, str]]:
    """(label, url) of the pages about `cadre` that `user` may open."""
    return [
        (link.label, reverse(link.url_name, args=[cadre.pk]))
        for link in _links
        if link.allowed(user)
    ]
