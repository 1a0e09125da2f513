"""Roles: who may write what, and how a signed-in person gets a role."""
import pytest

from metrics.access import (
    VIA_CLI,
    Actor,
    MissingName,
    PermissionDenied,
    Role,
    RoleRules,
    require,
    role_for,
)

RULES = RoleRules(
    members={Role.ADMIN: ("boss@example.com",), Role.EDITOR: ("@sre.example.com", "dba@partner.org")},
    claim="groups",
    claim_values={Role.EDITOR: ("tpm",), Role.ADMIN: ("reliability-admins",)},
    default_role=Role.VIEWER,
)


def test_roles_are_ordered_viewer_editor_admin():
    assert Role.VIEWER < Role.EDITOR < Role.ADMIN


def test_an_address_listed_for_a_role_gets_it():
    assert role_for("boss@example.com", {}, RULES) is Role.ADMIN


def test_addresses_compare_without_case():
    assert role_for("Boss@Example.COM", {}, RULES) is Role.ADMIN


def test_a_domain_entry_covers_every_address_of_that_domain():
    assert role_for("kim@sre.example.com", {}, RULES) is Role.EDITOR


def test_a_domain_entry_does_not_cover_a_lookalike_domain():
    assert role_for("kim@evil-sre.example.com.attacker.net", {}, RULES) is Role.VIEWER
    assert role_for("kim@notsre.example.com", {}, RULES) is Role.VIEWER


def test_a_claim_value_in_a_list_grants_its_role():
    assert role_for("lee@elsewhere.org", {"groups": ["staff", "tpm"]}, RULES) is Role.EDITOR


def test_a_claim_given_as_a_single_string_counts_too():
    assert role_for(None, {"groups": "reliability-admins"}, RULES) is Role.ADMIN


def test_the_highest_role_any_rule_grants_wins():
    assert role_for("kim@sre.example.com", {"groups": ["reliability-admins"]}, RULES) is Role.ADMIN


def test_someone_no_rule_names_gets_the_default_role():
    assert role_for("stranger@example.net", {}, RULES) is Role.VIEWER


def test_a_default_of_none_means_no_access():
    rules = RoleRules(members={Role.EDITOR: ("@example.com",)}, default_role=None)
    assert role_for("stranger@example.net", {}, rules) is None


def test_an_address_the_provider_marks_unverified_grants_nothing():
    assert role_for("boss@example.com", {"email_verified": False}, RULES) is Role.VIEWER


def test_a_claim_of_another_name_grants_nothing():
    assert role_for(None, {"roles": ["reliability-admins"]}, RULES) is Role.VIEWER


def test_a_viewer_may_not_write():
    with pytest.raises(PermissionDenied, match=r"vic \(viewer\) may not record incidents: only editors and admins"):
        require(Actor("vic", Role.VIEWER), Role.EDITOR, "record incidents")


def test_an_editor_may_not_run_a_collector():
    with pytest.raises(PermissionDenied, match="only admins can"):
        require(Actor("ann", Role.EDITOR), Role.ADMIN, "collect daily rollups")


def test_an_admin_may_do_what_an_editor_may():
    assert require(Actor("ada", Role.ADMIN, VIA_CLI), Role.EDITOR, "record incidents") == "ada"


def test_a_write_needs_a_name_to_attribute_it_to():
    with pytest.raises(MissingName, match="say who you are"):
        require(Actor("  ", Role.ADMIN), Role.EDITOR, "record incidents")


def test_a_bare_name_is_not_an_identity():
    with pytest.raises(TypeError):
        require("ada", Role.EDITOR, "record incidents")  # type: ignore[arg-type]


def test_the_audit_details_carry_the_role_and_how_the_person_came():
    assert Actor("ada", Role.ADMIN, VIA_CLI).audit_details() == {"role": "admin", "via": "cli"}


def test_a_name_longer_than_the_audit_trail_holds_is_refused():
    with pytest.raises(MissingName, match="at most 200 characters"):
        require(Actor("k" * 201, Role.EDITOR), Role.EDITOR, "record incidents")


def test_a_name_with_control_characters_is_refused():
    with pytest.raises(MissingName, match="no control characters"):
        require(Actor("kim\x00", Role.EDITOR), Role.EDITOR, "record incidents")
