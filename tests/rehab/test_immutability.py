"""Sign-off decisions and audit events cannot be changed or deleted: not through the ORM, the
admin, or (on PostgreSQL) raw SQL. The demo reset's purge is the one way out."""

import pytest
from django.db import DatabaseError, connection, transaction

from athletes.models import AuditEvent
from core.models import ImmutableRecordError
from portal.demo import load_demo, reset_demo
from rehab.models import SignOffDecision
from rehab.signoff import decide_signoff, request_signoff
from tests.factories import UserFactory
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def decision():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    return decide_signoff(request, by=c.clinician, decision="decline", rationale="Not yet.")


def test_a_saved_decision_cannot_be_saved_again(decision):
    decision.rationale = "Rewritten"
    with pytest.raises(ImmutableRecordError):
        decision.save()
    decision.refresh_from_db()
    assert decision.rationale == "Not yet."


def test_a_decision_cannot_be_deleted(decision):
    with pytest.raises(ImmutableRecordError):
        decision.delete()
    assert SignOffDecision.objects.filter(pk=decision.pk).exists()


def test_queryset_update_and_delete_raise(decision):
    with pytest.raises(ImmutableRecordError):
        SignOffDecision.objects.filter(pk=decision.pk).update(decision="approve")
    with pytest.raises(ImmutableRecordError):
        SignOffDecision.objects.all().delete()
    with pytest.raises(ImmutableRecordError):
        decision.request.decisions.all().delete()
    with pytest.raises(ImmutableRecordError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(ImmutableRecordError):
        AuditEvent.objects.all().delete()
    assert SignOffDecision.objects.get(pk=decision.pk).decision == "decline"


def test_an_audit_event_cannot_be_saved_again_or_deleted(decision):
    event = AuditEvent.objects.first()
    event.after = {}
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()


def test_the_admin_cannot_change_or_delete_decisions_or_events(client, decision):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    event = AuditEvent.objects.first()
    for url in (
        f"/admin/rehab/signoffdecision/{decision.pk}/change/",
        f"/admin/athletes/auditevent/{event.pk}/change/",
    ):
        response = client.post(url, {"rationale": "Rewritten", "action": "x"})
        assert response.status_code in (302, 403) or b"Rewritten" not in response.content
    for url in (
        f"/admin/rehab/signoffdecision/{decision.pk}/delete/",
        f"/admin/athletes/auditevent/{event.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/rehab/signoffdecision/",
        {"action": "delete_selected", "_selected_action": [decision.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    decision.refresh_from_db()
    assert decision.rationale == "Not yet."
    assert SignOffDecision.objects.filter(pk=decision.pk).exists()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert client.get("/admin/athletes/auditevent/add/").status_code == 403


@on_postgresql
@pytest.mark.parametrize("table", ["rehab_signoffdecision", "rehab_auditevent"])
def test_raw_sql_update_is_refused_by_the_database(decision, table):
    column = "rationale" if table == "rehab_signoffdecision" else "role"
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET {column} = 'rewritten'")


@on_postgresql
@pytest.mark.parametrize("table", ["rehab_signoffdecision", "rehab_auditevent"])
def test_raw_sql_delete_is_refused_by_the_database(decision, table):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")
    assert SignOffDecision.objects.filter(pk=decision.pk).exists()


@on_postgresql
def test_the_purge_setting_lets_delete_through_but_never_update(decision):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL sprintback.allow_purge = 'on'")
        cursor.execute("UPDATE rehab_signoffdecision SET rationale = 'rewritten'")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('sprintback.allow_purge', true)")
        assert cursor.fetchone()[0] in (None, "", "off")


def test_reset_demo_still_removes_the_demo_with_its_decisions_and_events():
    load_demo()
    assert SignOffDecision.objects.exists() and AuditEvent.objects.exists()
    reset_demo()
    assert not SignOffDecision.objects.exists()
    assert not AuditEvent.objects.exists()
    assert load_demo() is True
