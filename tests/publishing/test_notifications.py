"""Telling the people a change affects: change lists per person, letters, e-mail once per version, audited."""
import io
from datetime import timedelta

import pytest
from django.core import mail
from pypdf import PdfReader

from audit.models import AuditEvent
from scheduler.models import ChangeNotice
from scheduler.publishing.notifications import (
    What,
    change_letter,
    change_letters_pdf,
    plan_change_lists,
    plan_change_notices_send,
)
from scheduler.publishing.services import plan_publish
from scheduler.tasks import change_notices_task
from tests.publishing.factories import copy_as_draft
from tests.publishing.test_feeds import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def version_two(world):  # noqa: F811
    """Version 2 moves Anne's talk by two hours and drops Bo's talk; Karen's group session is unchanged."""
    draft = copy_as_draft(world["plan"])
    talk = draft.appointments.get(task_key="talk:anne")
    talk.start += timedelta(hours=2)
    talk.end += timedelta(hours=2)
    talk.save()
    draft.appointments.filter(task_key="talk:bo").delete()
    return plan_publish(plan=draft)


def _lines(changes, person):
    return next(c.lines for c in changes if c.person == person)


def test_each_person_gets_a_list_of_what_changed_for_them(world, version_two):  # noqa: F811
    changes = plan_change_lists(plan=version_two)
    anne = _lines(changes.citizens, world["anne"])
    assert [line.what for line in anne] == [What.MOVED]
    assert anne[0].old_start == world["talk"].start and anne[0].new_start == world["talk"].start + timedelta(hours=2)
    assert "Mødelokale 1" in anne[0].new_place and anne[0].with_whom == "Karen Holm"
    bo = _lines(changes.citizens, world["bo"])
    assert [line.what for line in bo] == [What.CANCELLED]
    karen = _lines(changes.consultants, world["karen"])
    assert sorted(line.what for line in karen) == [What.CANCELLED, What.MOVED]
    assert {line.with_whom for line in karen} == {"ŁŞ", "BN"}  # initials, never names, in a consultant's list
    assert world["lars"] not in [c.person for c in changes.consultants]  # nothing changed for Lars
    assert plan_change_lists(plan=world["plan"]).citizens == []  # version 1: nothing to tell


def test_a_change_letter_is_short_plain_danish(world, version_two):  # noqa: F811
    changes = plan_change_lists(plan=version_two)
    anne = next(c for c in changes.citizens if c.person == world["anne"])
    subject, body = change_letter(changes=anne, plan=version_two)
    assert subject.startswith("Ændringer i dit ugeskema, uge ")
    assert body.startswith("Kære Łucja\n")
    assert "Flyttet: Individuel samtale (Karen Holm) – før " in body and " – nu " in body and "kl. 11.00" in body
    assert "version 2" in body and body.rstrip().endswith("Center Vejle")
    pdf = PdfReader(io.BytesIO(change_letters_pdf(plan=version_two)))
    assert len(pdf.pages) == 2  # Anne and Bo
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Kære Łucja" in text and "Kære Bo" in text and "Aflyst" in text


def test_e_mails_go_once_per_version_to_people_with_an_address_where_the_site_allows(world, version_two):  # noqa: F811
    anne, karen = world["anne"], world["karen"]
    anne.email, karen.email = "anne@example.org", "karen@example.org"
    anne.save()
    karen.save()
    assert plan_change_notices_send(plan_id=version_two.pk) == 0  # the site has not allowed e-mail
    site = world["site"]
    site.change_emails = True
    site.save()
    assert change_notices_task(version_two.pk) == 2  # Anne and Karen; Bo has no address
    assert sorted(m.to[0] for m in mail.outbox) == ["anne@example.org", "karen@example.org"]
    to_anne = next(m for m in mail.outbox if m.to == ["anne@example.org"])
    assert "Flyttet: Individuel samtale" in to_anne.body and to_anne.subject.startswith("Ændringer i dit ugeskema")
    to_karen = next(m for m in mail.outbox if m.to == ["karen@example.org"])
    assert "Łucja" not in to_karen.body and "ŁŞ" in to_karen.body
    assert change_notices_task(version_two.pk) == 0  # delivered twice: nothing more is sent
    assert len(mail.outbox) == 2 and ChangeNotice.objects.filter(plan=version_two).count() == 2
    audited = AuditEvent.objects.filter(object_repr__startswith="Ændringsbesked pr. e-mail")
    assert audited.count() == 2
    assert any(f",{anne.pk}," == e.citizen_ids for e in audited)


def test_publishing_version_two_enqueues_the_sending(world, django_capture_on_commit_callbacks):  # noqa: F811
    from django_q.models import OrmQ

    draft = copy_as_draft(world["plan"])
    with django_capture_on_commit_callbacks(execute=True):
        plan_publish(plan=draft)
    funcs = [q.func() for q in OrmQ.objects.all()]
    assert "scheduler.tasks.change_notices_task" in funcs
