"""Audit: database triggers record every change of a cadre's file with who made it and from
which page; view logs and the performance record are append-only."""

import datetime

import pghistory
import pghistory.models
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST
from pghistory.models import Events

from cadre.choices import PerformanceSource
from cadre.models import Cadre, CadreViewLog, PerformanceEntry
from cadre.services import cadre_update, cadre_view_log, performance_entry_append

pytestmark = pytest.mark.django_db

CadreEvent = apps.get_model("cadre", "CadreEvent")


@require_POST
def _edit_phone(request, pk):
    """A stand-in for an edit page: the real middleware stack, a service write."""
    cadre_update(actor=request.user, cadre=Cadre.objects.get(pk=pk), phone=request.POST["phone"])
    return HttpResponse("ok")


# Used by the page-request test through @pytest.mark.urls(__name__).
urlpatterns = [path("audit-probe/cadres/<int:pk>/phone/", _edit_phone)]


def phone_updates(cadre):
    return [
        e
        for e in Events.objects.tracks(cadre).order_by("pgh_created_at")
        if e.pgh_label == "update" and "phone" in (e.pgh_diff or {})
    ]


def test_a_service_edit_is_recorded_with_before_and_after(cadres):
    cadre_update(cadre=cadres.in_a, phone="13800000000")

    (event,) = phone_updates(cadres.in_a)
    assert event.pgh_diff["phone"] == ["", "13800000000"]


def test_a_bulk_update_is_recorded_for_every_row(cadres):
    # Given a queryset update that bypasses save() and the services
    Cadre.objects.filter(pk__in=[cadres.in_a.pk, cadres.in_b.pk]).update(phone="12345")

    # then the triggers still recorded one update per row.
    for cadre in (cadres.in_a, cadres.in_b):
        (event,) = phone_updates(cadre)
        assert event.pgh_diff["phone"] == ["", "12345"]
    assert not phone_updates(cadres.leader_a)
    assert CadreEvent.objects.filter(pgh_obj=cadres.in_a, pgh_label="update").count() == 1


def test_insert_and_delete_are_recorded(tree):
    from tests.factories import CadreFactory

    cadre = CadreFactory(unit=tree.county_a)
    pk = cadre.pk
    cadre.delete()

    assert list(
        CadreEvent.objects.filter(pgh_obj_id=pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    ) == ["insert", "delete"]


def test_history_rows_cannot_be_changed_or_removed(cadres):
    cadre_update(cadre=cadres.in_a, phone="13800000000")
    event = CadreEvent.objects.get(pgh_obj=cadres.in_a, pgh_label="update")

    with pytest.raises(DatabaseError), transaction.atomic():
        CadreEvent.objects.filter(pk=event.pk).update(phone="")
    with pytest.raises(DatabaseError), transaction.atomic():
        CadreEvent.objects.filter(pk=event.pk).delete()

    event.refresh_from_db()
    assert event.phone == "13800000000"


HISTORY_MODELS = [m for m in apps.get_models() if issubclass(m, pghistory.models.Event)]


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m._meta.label)
def test_every_history_table_refuses_update_and_delete_in_the_database(model):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.tgtype FROM pg_trigger t
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = %s::regclass AND t.tgenabled <> 'D'
              AND p.prosrc LIKE '%%Cannot update or delete rows%%'
            """,
            [model._meta.db_table],
        )
        types = [row[0] for row in cursor.fetchall()]
    # pg_trigger.tgtype bits: 2 BEFORE, 8 DELETE, 16 UPDATE.
    assert any(t & 2 and t & 8 and t & 16 for t in types), model._meta.db_table


def test_changes_inside_a_context_are_attributed_to_its_user(cadres, org_user):
    with pghistory.context(user=org_user.pk, url="/x"):
        cadre_update(actor=org_user, cadre=cadres.in_a, phone="13800000000")

    event = CadreEvent.objects.get(pgh_obj=cadres.in_a, pgh_label="update")
    assert event.pgh_context.metadata["user"] == org_user.pk
    assert event.pgh_context.metadata["url"] == "/x"


def test_history_middleware_is_installed_after_authentication():
    middleware = settings.MIDDLEWARE
    assert "pghistory.middleware.HistoryMiddleware" in middleware
    assert middleware.index("pghistory.middleware.HistoryMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


@pytest.mark.urls(__name__)
def test_a_page_request_records_its_user_and_path(client, cadres, org_user):
    client.force_login(org_user)
    url = f"/audit-probe/cadres/{cadres.in_a.pk}/phone/"

    response = client.post(url, {"phone": "13900000000"})

    assert response.status_code == 200
    event = CadreEvent.objects.get(pgh_obj=cadres.in_a, pgh_label="update")
    assert event.phone == "13900000000"
    assert event.pgh_context.metadata["user"] == org_user.pk
    assert event.pgh_context.metadata["url"] == url


def test_cadre_view_log_cannot_be_changed(cadres, org_user):
    cadre_view_log(user=org_user, cadre=cadres.in_a, path="/cadres/1/", ip_address="10.0.0.1")
    log = CadreViewLog.objects.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        CadreViewLog.objects.filter(pk=log.pk).update(path="/elsewhere/")

    log.refresh_from_db()
    assert log.path == "/cadres/1/"
    assert log.user == org_user


def test_performance_entry_cannot_be_changed(cadres):
    entry = performance_entry_append(
        cadre=cadres.in_a,
        occurred_on=datetime.date(2025, 1, 10),
        source=PerformanceSource.COMMENDATION,
        title="防汛先进个人",
    )

    with pytest.raises(DatabaseError), transaction.atomic():
        PerformanceEntry.objects.filter(pk=entry.pk).update(title="改过的事项")

    entry.refresh_from_db()
    assert entry.title == "防汛先进个人"


def test_performance_entry_with_the_same_source_key_is_appended_once(cadres):
    def append():
        return performance_entry_append(
            cadre=cadres.in_a,
            occurred_on=datetime.date(2025, 1, 10),
            source=PerformanceSource.ASSESSMENT,
            title="年度考核优秀",
            source_key="assessment.annual:2024",
        )

    first, second = append(), append()

    assert first.pk == second.pk
    assert cadres.in_a.performance_entries.count() == 1
    # The same key on another cadre is another deed.
    other = performance_entry_append(
        cadre=cadres.in_b,
        occurred_on=datetime.date(2025, 1, 10),
        source=PerformanceSource.ASSESSMENT,
        title="年度考核优秀",
        source_key="assessment.annual:2024",
    )
    assert other.pk != first.pk


@pytest.mark.parametrize("source_key", ["", "frontline:1"])
def test_performance_entry_with_an_unknown_source_is_refused(cadres, source_key):
    with pytest.raises(ValidationError):
        performance_entry_append(
            cadre=cadres.in_a,
            occurred_on=datetime.date(2025, 1, 10),
            source="no-such-source",
            title="事项",
            source_key=source_key,
        )

    assert not cadres.in_a.performance_entries.exists()


def test_history_attribution_cannot_be_deleted(cadres, org_user):
    import pghistory
    from django.db import DatabaseError, transaction
    from pghistory.models import Context

    from cadre.services import cadre_update

    with pghistory.context(user=org_user.pk, url="/x"):
        cadre_update(actor=org_user, cadre=cadres.in_a, phone="13700000000")
    assert Context.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        Context.objects.all().delete()
