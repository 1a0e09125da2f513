"""config/access.toml: who gets which role; a broken file is refused whole, never half-applied."""

from pathlib import Path

import pytest

from data.access import AccessConfigError, load_role_rules
from metrics.access import Role, RoleRules, role_for

REPO = Path(__file__).resolve().parents[3]


def verified(email: str, **claims) -> dict:
    return {"sub": "someone", "email": email, "email_verified": True, **claims}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "access.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_committed_example_loads_and_makes_signed_in_people_viewers():
    rules = load_role_rules(REPO / "config" / "access.toml")
    assert rules.default_role is Role.VIEWER and rules.local_role is Role.ADMIN
    assert role_for(verified("anyone@example.com"), rules) is Role.VIEWER


def test_an_absent_file_gives_the_defaults(tmp_path):
    assert load_role_rules(tmp_path / "missing.toml") == RoleRules()


def test_members_claims_and_defaults_are_read(tmp_path):
    rules = load_role_rules(
        write(
            tmp_path,
            """
default_role = "none"
local_role = "editor"
[members]
admin = ["boss@example.com"]
editor = ["@sre.example.com"]
[claim]
name = "groups"
editor = ["tpm"]
""",
        )
    )
    assert rules.default_role is None and rules.local_role is Role.EDITOR
    assert role_for(verified("boss@example.com"), rules) is Role.ADMIN
    assert role_for(verified("x@other.org", groups=["tpm"]), rules) is Role.EDITOR
    assert role_for(verified("x@other.org"), rules) is None


def test_every_problem_is_listed_at_once(tmp_path):
    with pytest.raises(AccessConfigError) as error:
        load_role_rules(
            write(
                tmp_path,
                """
default_role = "superuser"
[members]
admn = ["boss@example.com"]
editor = ["not-an-address"]
[claim]
editor = ["tpm"]
""",
            )
        )
    problems = "\n".join(error.value.problems)
    assert "default_role: 'superuser' is not a role" in problems
    assert "unknown key 'admn'; did you mean 'admin'?" in problems
    assert "'not-an-address' is neither an address" in problems
    assert "no claim name" in problems


def test_a_file_that_is_not_toml_names_the_file(tmp_path):
    with pytest.raises(AccessConfigError, match="access.toml: not valid TOML"):
        load_role_rules(write(tmp_path, "default_role = \n"))


def test_a_member_list_must_hold_strings(tmp_path):
    with pytest.raises(AccessConfigError, match=r"\[members\] editor: must be a list of non-empty strings"):
        load_role_rules(write(tmp_path, "[members]\neditor = [1, 2]\n"))
