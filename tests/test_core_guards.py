import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.test import RequestFactory, override_settings

from cadre import services
from cadre.auth import client_ip
from cadre.choices import PolicyStatus
from cadre.models import Cadre, PolicyItem, PolicyList


@pytest.fixture
def published(db):
    draft = PolicyList.objects.create(kind="test.kind", title="测试清单")
    PolicyItem.objects.create(policy_list=draft, code="A1", label="条目一")
    return services.policy_list_publish(policy_list=draft)


def test_published_list_cannot_be_reopened(published):
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyList.objects.filter(pk=published.pk).update(status=PolicyStatus.DRAFT)


def test_published_list_cannot_be_deleted(published):
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyList.objects.filter(pk=published.pk).delete()


def test_items_cannot_be_moved_out_of_a_published_list(published):
    draft = PolicyList.objects.create(kind="test.other", title="草稿")
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyItem.objects.filter(policy_list=published).update(policy_list=draft)


def test_publishing_with_a_future_date_is_refused(db):
    draft = PolicyList.objects.create(kind="test.kind", title="测试清单")
    PolicyItem.objects.create(policy_list=draft, code="A1", label="条目一")
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as info:
        services.policy_list_publish(policy_list=draft, effective_from=tomorrow)
    assert "生效日期" in str(info.value)


def test_deleting_a_cadre_with_events_is_refused_with_a_message(cadres, tree, org_user):
    services.cadre_update(actor=org_user, cadre=cadres.in_a, post="党委书记")
    with pytest.raises(ValidationError) as info:
        services.cadre_delete(actor=org_user, cadre=cadres.in_a)
    assert "不能删除" in str(info.value)
    assert Cadre.objects.filter(pk=cadres.in_a.pk).exists()


def test_client_ip_ignores_forwarded_header_without_trusted_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_ip_behind_one_proxy_takes_the_address_the_proxy_saw():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4"
    )
    assert client_ip(request) == "1.2.3.4"


def test_county_user_cannot_create_a_top_level_unit(org_user):
    from cadre.choices import UnitKind, UnitLevel

    with pytest.raises(ValidationError) as info:
        services.unit_create(
            actor=org_user,
            name="外部单位",
            code="X1",
            kind=UnitKind.DEPARTMENT,
            level=UnitLevel.COUNTY,
        )
    assert "parent" in info.value.message_dict


def test_back_dated_post_change_is_a_field_error(cadres, org_user):
    later = cadres.in_a.post_history.get().start_date + datetime.timedelta(days=10)
    services.cadre_update(actor=org_user, cadre=cadres.in_a, post="党委书记", post_since=later)
    with pytest.raises(ValidationError) as info:
        services.cadre_update(
            actor=org_user,
            cadre=cadres.in_a,
            post="副书记",
            post_since=later - datetime.timedelta(days=5),
        )
    assert "post_since" in info.value.message_dict


def test_file_records_are_saved_only_inside_the_scope(cadres, org_user, make_user, tree):
    from django.core.exceptions import PermissionDenied

    from cadre.choices import Role
    from cadre.models import TrainingRecord

    ok = services.cadre_record_save(
        actor=org_user,
        record=TrainingRecord(
            cadre=cadres.in_a, title="专题培训", start_date=datetime.date(2025, 3, 1)
        ),
    )
    assert ok.pk
    with pytest.raises(ValidationError):
        services.cadre_record_save(
            actor=org_user,
            record=TrainingRecord(
                cadre=cadres.in_b, title="专题培训", start_date=datetime.date(2025, 3, 1)
            ),
        )
    inspector = make_user(Role.DISCIPLINE, unit=tree.county_a)
    with pytest.raises(PermissionDenied):
        services.cadre_record_delete(actor=inspector, record=ok)
    assert TrainingRecord.objects.filter(pk=ok.pk).exists()
