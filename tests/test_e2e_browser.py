"""End to end in a real browser: sign in, find a cadre in the list, open their file.

Runs headless Chromium from the system (/usr/bin/chromium) through Playwright; it never
downloads a browser. Install one with `apt-get install -y chromium`.
"""

import datetime

from cadre.choices import Role, UnitKind, UnitLevel
from tests.conftest import PASSWORD, TIMEOUT_MS
from tests.factories import CadreFactory, UnitFactory, UserFactory


def test_sign_in_search_and_open_a_cadre(live_server, transactional_db, browser):
    county = UnitFactory(name="丙县", code="E2E", kind=UnitKind.REGION, level=UnitLevel.COUNTY)
    township = UnitFactory(
        name="丙县一镇",
        code="E2E1",
        kind=UnitKind.TOWNSHIP,
        level=UnitLevel.TOWNSHIP,
        parent=county,
    )
    UserFactory(username="e2e_org", roles=[Role.ORGANISATION], unit=county)
    CadreFactory(name="周九", unit=township, post="镇党委副书记")
    CadreFactory(name="吴十", unit=township, post="副镇长", birth_date=datetime.date(1985, 3, 1))

    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "e2e_org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/units/")

    page.goto(f"{live_server.url}/cadres/")
    page.fill("input[name=q]", "周九")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/cadres/?q=*")
    table = page.locator("[data-testid=cadre-table]")
    assert table.get_by_role("link", name="周九").count() == 1
    assert table.get_by_role("link", name="吴十").count() == 0

    table.get_by_role("link", name="周九").click()
    page.wait_for_url("**/cadres/*/")

    assert page.locator("h1").inner_text().startswith("周九")
    assert page.locator("[data-testid=post]").inner_text() == "镇党委副书记"
