"""Every rule the verifier can name is told to the coordinator in Danish, on the form field to change."""

import pytest

from scheduler.editing.wording import violation_message
from solver.verify import Code, Violation
from tests.solver.test_verify import scenario_violation

FIELDS = {"start", "consultants", "room"}


@pytest.mark.parametrize("code", list(Code), ids=str)
def test_each_violation_has_danish_words_on_a_form_field(code: Code) -> None:
    violation = scenario_violation(code)
    field, message = violation_message(violation)
    assert field in FIELDS
    assert message and message[0].isupper() and message.endswith(".")
    assert "%(" not in message and "None" not in message
    assert message != "Flytningen bryder en fast regel."  # the general refusal is for codes without words only
    assert not any(word in message for word in ("task", "slot", "consultant", "room"))  # no English left


def test_the_message_names_who_or_what_is_in_the_way() -> None:
    assert violation_message(scenario_violation(Code.CONSULTANT_DOUBLE_BOOKED)) == (
        "start", "Konsulenten Mette Hansen har en anden aftale på det tidspunkt.")
    assert violation_message(scenario_violation(Code.ROOM_TOO_SMALL)) == (
        "room", "Lokalet er for lille: der er plads til 4, aktiviteten kræver 10.")
    assert violation_message(scenario_violation(Code.CITIZEN_DAY_LIMIT)) == (
        "start", "Borgeren får flere timer den dag, end skånehensynet tillader (120 af højst 60 minutter).")


def test_a_site_the_task_may_not_use_is_told_on_the_room() -> None:
    # The old sentence matching sent this to the consultants ("må ikke holde denne aktivitet").
    assert violation_message(scenario_violation(Code.SITE_NOT_ALLOWED)) == (
        "room", "Aktiviteten kan ikke holdes på det center.")


def test_a_code_without_words_is_still_refused_in_general_terms() -> None:
    unknown = Violation("a_future_rule", "t1", None)  # type: ignore[arg-type]
    assert violation_message(unknown) == ("start", "Flytningen bryder en fast regel.")
