"""Acting identities for tests that write to the store: every write names who, and as what role."""

from metrics.access import VIA_LOCAL, Actor, Role


def viewer(name: str = "vic") -> Actor:
    return Actor(name, Role.VIEWER, VIA_LOCAL)


def editor(name: str = "ann") -> Actor:
    return Actor(name, Role.EDITOR, VIA_LOCAL)


def admin(name: str = "ada") -> Actor:
    return Actor(name, Role.ADMIN, VIA_LOCAL)
