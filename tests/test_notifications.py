"""Notifications: an inbox row per active recipient, copied by e-mail once after commit."""

import pytest
from django.core import mail

from cadre.models import Notification
from cadre.services import notification_mark_read, notify
from cadre.tasks import send_notification_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return (
        make_user(username="alice", email="alice@example.gov.cn"),
        make_user(username="bob", email="bob@example.gov.cn"),
        make_user(username="gone", email="gone@example.gov.cn", is_active=False),
    )


def test_notify_fills_the_inbox_of_active_recipients_only(people):
    alice, bob, gone = people

    notify(recipients=[alice, bob, gone], kind="test.notice", title="谈话提醒", body="请按时谈话")

    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "alice",
        "bob",
    }
    assert alice.notifications.get().title == "谈话提醒"


def test_email_is_sent_after_commit_once(people, django_capture_on_commit_callbacks):
    alice, _bob, _gone = people

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(
            recipients=[alice], kind="test.notice", title="谈话提醒", body="请按时谈话", link="/x"
        )
    # Nothing is sent inside the transaction; one send job waits for the commit.
    assert len(callbacks) == 1
    assert mail.outbox == []

    ids = [n.pk for n in created]
    assert send_notification_emails(ids) == 1
    (message,) = mail.outbox
    assert message.to == ["alice@example.gov.cn"]
    assert message.subject == "谈话提醒"
    assert "请按时谈话" in message.body and "/x" in message.body
    assert Notification.objects.get(pk=ids[0]).emailed_at is not None

    # Running the job again (a retry, a duplicate message) sends nothing more.
    assert send_notification_emails(ids) == 0
    assert len(mail.outbox) == 1


def test_recipient_without_email_gets_the_inbox_row_only(make_user):
    nomail = make_user(username="nomail", email="")

    created = notify(recipients=[nomail], kind="test.notice", title="提醒")

    assert send_notification_emails([n.pk for n in created]) == 0
    assert mail.outbox == []
    assert nomail.notifications.count() == 1


def test_dedupe_key_gives_one_notification_per_recipient(people):
    alice, bob, _gone = people

    for _ in range(2):
        notify(
            recipients=[alice, bob],
            kind="test.overdue",
            title="谈话逾期",
            dedupe_key="talk-7-2025-06-01",
        )

    assert alice.notifications.count() == 1
    assert bob.notifications.count() == 1


def test_dedupe_key_does_not_email_twice(people, django_capture_on_commit_callbacks):
    alice, _bob, _gone = people

    with django_capture_on_commit_callbacks(execute=False):
        first = notify(recipients=[alice], kind="t", title="谈话逾期", dedupe_key="k1")
    send_notification_emails([n.pk for n in first])
    with django_capture_on_commit_callbacks(execute=False):
        second = notify(recipients=[alice], kind="t", title="谈话逾期", dedupe_key="k1")
    send_notification_emails([n.pk for n in second])

    assert len(mail.outbox) == 1


def test_mark_read_marks_only_the_users_own(people):
    alice, bob, _gone = people
    notify(recipients=[alice, bob], kind="t", title="甲")
    notify(recipients=[alice], kind="t", title="乙")
    bobs = bob.notifications.get()

    # Alice cannot mark Bob's notification by naming its id.
    assert notification_mark_read(user=alice, ids=[bobs.pk]) == 0
    assert notification_mark_read(user=alice) == 2

    assert not alice.notifications.filter(read_at__isnull=True).exists()
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_mark_read_of_chosen_ids(people):
    alice, _bob, _gone = people
    notify(recipients=[alice], kind="t", title="甲")
    notify(recipients=[alice], kind="t", title="乙")
    first = alice.notifications.get(title="甲")

    assert notification_mark_read(user=alice, ids=[first.pk]) == 1

    assert list(
        alice.notifications.filter(read_at__isnull=True).values_list("title", flat=True)
    ) == ["乙"]
