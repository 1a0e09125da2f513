"""Roles: who may write what, and how a signed-in person gets a role."""

import pytest

from metrics.access import (
    VIA_CLI,
    Actor,
    MissingName,
    PermissionDenied,
    Role,
    RoleRules,
    email_is_verified,
    identity_name,
    require,
    role_for,
    unverified_display_name,
    verified_email,
)

RULES = RoleRules(
    members={Role.ADMIN: ("boss@example.com",), Role.EDITOR: ("@sre.example.com", "dba@partner.org")},
    claim="groups",
    claim_values={Role.EDITOR: ("tpm",), Role.ADMIN: ("reliability-admins",)},
    default_role=Role.VIEWER,
)
ISSUER = "https://id.example.org"


def verified(email: str, **claims) -> dict:
    """The claims of someone whose provider vouches for ``email``."""
    return {"iss": ISSUER, "sub": "u-1", "email": email, "email_verified": True, **claims}


def unverified(email: str, **claims) -> dict:
    return {"iss": ISSUER, "sub": "u-1", "email": email, **claims}


def test_roles_are_ordered_viewer_editor_admin():
    assert Role.VIEWER < Role.EDITOR < Role.ADMIN


def test_an_address_listed_for_a_role_gets_it():
    assert role_for(verified("boss@example.com"), RULES) is Role.ADMIN


def test_addresses_compare_without_case():
    assert role_for(verified("Boss@Example.COM"), RULES) is Role.ADMIN


def test_a_domain_entry_covers_every_address_of_that_domain():
    assert role_for(verified("kim@sre.example.com"), RULES) is Role.EDITOR


def test_a_domain_entry_does_not_cover_a_lookalike_domain():
    assert role_for(verified("kim@evil-sre.example.com.attacker.net"), RULES) is Role.VIEWER
    assert role_for(verified("kim@notsre.example.com"), RULES) is Role.VIEWER


def test_a_claim_value_in_a_list_grants_its_role():
    assert role_for(verified("lee@elsewhere.org", groups=["staff", "tpm"]), RULES) is Role.EDITOR


def test_a_claim_given_as_a_single_string_counts_too():
    assert role_for({"groups": "reliability-admins"}, RULES) is Role.ADMIN


def test_the_highest_role_any_rule_grants_wins():
    assert role_for(verified("kim@sre.example.com", groups=["reliability-admins"]), RULES) is Role.ADMIN


def test_someone_no_rule_names_gets_the_default_role():
    assert role_for(verified("stranger@example.net"), RULES) is Role.VIEWER


def test_a_default_of_none_means_no_access():
    rules = RoleRules(members={Role.EDITOR: ("@example.com",)}, default_role=None)
    assert role_for(verified("stranger@example.net"), rules) is None


def test_an_address_the_provider_marks_unverified_grants_nothing():
    assert role_for({"email": "boss@example.com", "email_verified": False}, RULES) is Role.VIEWER


def test_email_verified_boolean_true_is_verified():
    assert email_is_verified({"email_verified": True})


@pytest.mark.parametrize("value", ["true", "TRUE", "True"])
def test_email_verified_string_true_in_any_case_is_verified(value):
    assert email_is_verified({"email_verified": value})


def test_email_verified_string_false_is_not_verified():
    assert not email_is_verified({"email_verified": "false"})


def test_email_verified_boolean_false_is_not_verified():
    assert not email_is_verified({"email_verified": False})


def test_email_verified_absent_is_not_verified():
    assert not email_is_verified({"email": "kim@example.com"})


@pytest.mark.parametrize("value", [1, "1", "yes", "0", 0, None, "", " true", ["true"], {"value": True}])
def test_email_verified_other_values_are_not_verified(value):
    assert not email_is_verified({"email_verified": value})


def test_a_verified_email_is_the_address_the_provider_vouches_for():
    assert verified_email(verified(" kim@example.com ")) == "kim@example.com"


def test_an_unverified_email_is_no_verified_address():
    assert verified_email(unverified("kim@example.com", email_verified="false")) is None


def test_a_member_by_address_rule_is_ignored_for_an_unverified_address():
    assert role_for(unverified("boss@example.com", email_verified="false"), RULES) is Role.VIEWER


def test_a_member_by_address_rule_is_ignored_when_email_verified_is_absent():
    assert role_for(unverified("boss@example.com"), RULES) is Role.VIEWER


def test_a_domain_rule_is_ignored_for_an_unverified_address():
    assert role_for(unverified("kim@sre.example.com", email_verified="0"), RULES) is Role.VIEWER


def test_an_address_rule_is_ignored_when_no_rule_grants_a_default_either():
    rules = RoleRules(members={Role.ADMIN: ("boss@example.com",)}, default_role=None)
    assert role_for(unverified("boss@example.com", email_verified="false"), rules) is None


def test_a_verified_string_true_address_gets_its_role():
    assert role_for(unverified("boss@example.com", email_verified="TRUE"), RULES) is Role.ADMIN


def test_a_group_claim_still_grants_without_a_verified_address():
    assert role_for(unverified("kim@elsewhere.org", email_verified="false", groups=["tpm"]), RULES) is Role.EDITOR


def test_the_default_role_still_applies_without_a_verified_address():
    assert role_for({"iss": ISSUER, "sub": "u-1"}, RULES) is Role.VIEWER


def test_a_display_name_that_looks_like_a_listed_address_grants_nothing():
    rules = RoleRules(members={Role.ADMIN: ("boss@example.com",)}, default_role=None)
    assert (
        role_for(
            {"iss": ISSUER, "sub": "eve", "name": "boss@example.com", "preferred_username": "boss@example.com"}, rules
        )
        is None
    )


def test_the_identity_name_is_the_verified_address():
    assert identity_name(verified("kim@example.com")) == "kim@example.com"


def test_the_identity_name_comes_from_issuer_and_subject_when_the_address_is_unverified():
    assert identity_name(unverified("boss@example.com", email_verified="false")) == f"sub u-1 at {ISSUER}"


def test_the_identity_name_comes_from_issuer_and_subject_when_there_is_no_address():
    assert identity_name({"iss": ISSUER, "sub": "eve"}) == f"sub eve at {ISSUER}"


def test_a_subject_identity_name_is_never_an_address():
    name = identity_name({"iss": ISSUER, "sub": "alice@example.com"})
    assert name == f"sub alice@example.com at {ISSUER}" and " " in name


def test_a_display_name_is_never_used_as_identity():
    claims = {
        "iss": ISSUER,
        "sub": "eve",
        "name": "alice@example.com",
        "preferred_username": "alice@example.com",
        "nickname": "alice@example.com",
    }
    assert identity_name(claims) == f"sub eve at {ISSUER}"


def test_no_subject_means_no_identity():
    assert identity_name({"iss": ISSUER, "name": "alice@example.com", "email": "alice@example.com"}) is None


def test_no_subject_means_no_identity_even_with_a_verified_address():
    assert identity_name({"iss": ISSUER, "email": "alice@example.com", "email_verified": True}) is None


def test_a_blank_or_non_text_subject_means_no_identity():
    assert identity_name({"iss": ISSUER, "sub": "  "}) is None
    assert identity_name({"iss": ISSUER, "sub": 42}) is None


def test_no_issuer_means_no_identity_for_a_subject():
    assert identity_name({"sub": "eve"}) is None


def test_an_issuer_with_spaces_means_no_identity_for_a_subject():
    assert identity_name({"sub": "eve", "iss": "https://id.example.org at https://other"}) is None


def test_the_display_name_is_only_a_label_from_the_profile_claims():
    assert unverified_display_name({"sub": "eve", "preferred_username": "Eve E."}) == "Eve E."
    assert unverified_display_name({"sub": "eve"}) is None


def test_a_claim_of_another_name_grants_nothing():
    assert role_for({"roles": ["reliability-admins"]}, RULES) is Role.VIEWER


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
