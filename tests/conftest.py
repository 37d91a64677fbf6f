"""Shared fixtures: a small jurisdiction tree and users for every role.

province ── city ─┬─ county_a ─┬─ township_a1
                  │            └─ dept_a (county department)
                  └─ county_b ─── township_b1
"""

import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from pytest_django.plugin import blocking_manager_key

from cadre.choices import Role, UnitKind, UnitLevel
from tests.factories import CadreFactory, UnitFactory, UserFactory, level

PASSWORD = "Secret-pass-123"


@pytest.fixture
def tree(db):
    province = UnitFactory(name="某省", code="P", kind=UnitKind.REGION, level=UnitLevel.PROVINCE)
    city = UnitFactory(
        name="某市",
        code="C",
        kind=UnitKind.REGION,
        level=UnitLevel.CITY,
        parent=province,
        manages_up_to=level("county_chief"),
    )
    county_a = UnitFactory(
        name="甲县",
        code="CA",
        kind=UnitKind.REGION,
        level=UnitLevel.COUNTY,
        parent=city,
        manages_up_to=level("township_chief"),
    )
    county_b = UnitFactory(
        name="乙县",
        code="CB",
        kind=UnitKind.REGION,
        level=UnitLevel.COUNTY,
        parent=city,
        manages_up_to=level("township_chief"),
    )
    township_a1 = UnitFactory(
        name="甲县一镇",
        code="CA1",
        kind=UnitKind.TOWNSHIP,
        level=UnitLevel.TOWNSHIP,
        parent=county_a,
    )
    dept_a = UnitFactory(
        name="甲县发改局",
        code="CAD",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.COUNTY,
        parent=county_a,
    )
    township_b1 = UnitFactory(
        name="乙县一镇",
        code="CB1",
        kind=UnitKind.TOWNSHIP,
        level=UnitLevel.TOWNSHIP,
        parent=county_b,
    )
    return SimpleNamespace(
        province=province,
        city=city,
        county_a=county_a,
        county_b=county_b,
        township_a1=township_a1,
        dept_a=dept_a,
        township_b1=township_b1,
    )


@pytest.fixture
def cadres(tree):
    """One cadre in county A's township (in scope of county A), one in county B (out of scope),
    and one county-level leader in county A (above what county A manages)."""
    return SimpleNamespace(
        in_a=CadreFactory(
            name="张三", unit=tree.township_a1, post="镇长", post_level=level("township_chief")
        ),
        in_b=CadreFactory(
            name="李四", unit=tree.township_b1, post="镇长", post_level=level("township_chief")
        ),
        leader_a=CadreFactory(
            name="王五", unit=tree.county_a, post="县长", post_level=level("county_chief")
        ),
    )


@pytest.fixture
def make_user(db):
    def _make(*roles, unit=None, **kwargs):
        return UserFactory(roles=list(roles) or [Role.ORGANISATION], unit=unit, **kwargs)

    return _make


@pytest.fixture
def org_user(tree, make_user):
    """An organisation-department user of county A."""
    return make_user(Role.ORGANISATION, unit=tree.county_a, username="org_a")


@pytest.fixture
def org_client(client, org_user):
    client.force_login(org_user)
    return client


REFERENCE_DATA_MIGRATIONS = (
    "cadre.migrations.0002_reference_data",
    "tolerance.migrations.0002_policy_lists",
    "assessment.migrations.0002_policy_lists",
    "assessment.migrations.0004_points_and_rater_groups",
    "assessment.migrations.0006_quarterly_and_consequence_rules",
    "incentives.migrations.0002_policy_lists",
    "cadre.migrations.0009_special_industry_tag",
    "care.migrations.0002_policy_lists",
)


@pytest.fixture
def staff(tree, make_user):
    """County A's inspector, a second inspector, an organisation officer, a committee member,
    an auditor, a unit leader and a cadre user; and county B's inspector (out of scope)."""
    a = tree.county_a
    return SimpleNamespace(
        inspector=make_user(Role.DISCIPLINE, unit=a, username="jw_a", full_name="纪检甲"),
        inspector2=make_user(Role.DISCIPLINE, unit=a, username="jw_a2", full_name="纪检乙"),
        organisation=make_user(Role.ORGANISATION, unit=a, username="zz_a", full_name="组织甲"),
        committee=make_user(Role.COMMITTEE, unit=a, username="cw_a", full_name="常委甲"),
        committee2=make_user(Role.COMMITTEE, unit=a, username="cw_a2", full_name="常委乙"),
        auditor=make_user(Role.AUDITOR, unit=a, username="sj_a", full_name="审计甲"),
        unit_leader=make_user(Role.UNIT_LEADER, unit=a, username="ld_a", full_name="领导甲"),
        cadre_user=make_user(Role.CADRE, unit=a, username="gb_a", full_name="干部甲"),
        city_inspector=make_user(Role.DISCIPLINE, unit=tree.city, username="jw_city"),
        other_inspector=make_user(Role.DISCIPLINE, unit=tree.county_b, username="jw_b"),
    )


def _seed_reference_data():
    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).forwards(django_apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have lost the data migrations' rows to a transactional test
    of an earlier run: put them back once per session."""
    with django_db_blocker.unblock():
        _seed_reference_data()


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when it ends, reference data included; once
    its teardown is over, put the data of the data migrations back for the tests after it."""
    yield
    if _is_transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            _seed_reference_data()


# --- the real browser of the end-to-end tests -------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
            "(this test never downloads a browser).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # meanwhile are ordinary blocking ones, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in(browser, live_server, username):
    """A page of a fresh browser session signed in as `username`; confirmations accepted."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/units/")
    return page
