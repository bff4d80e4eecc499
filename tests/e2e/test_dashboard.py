"""The manager's dashboard in a real browser: charts, the overdue list, a CSV download; and another
team's manager, set up through the admin pages, who gets a 404."""
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MANAGER = "manager@fact-noord.example"
ADMIN = "admin@belletje.example"


def test_demo_manager_reads_the_dashboard_and_downloads_a_csv(projector, login):
    page = login(projector.new_page(), MANAGER)
    page.get_by_role("link", name="Dashboard: evaluations and meetings").click()
    expect(page).to_have_url(re.compile(r"/teams/1/dashboard"))
    expect(page.locator("#headline-1")).to_have_text(re.compile(
        r"^\d+ of \d+ active clients \(\d+%\) reviewed within 6 months — \d+ overdue — \d+ of the \d+ reviews a week"
        r" that the norm needs fit in the budget: (not )?achievable$"))
    expect(page.locator("#clients-due")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#period-audit")).not_to_contain_text(" / ")  # reviews are never divided by clients
    expect(page.locator("#chart-held svg rect").first).to_be_attached()
    expect(page.locator("#chart-within-norm svg rect").first).to_be_attached()
    expect(page.locator("#chart-bells svg rect").first).to_be_attached()
    expect(page.locator("#overdue tbody tr").first).to_contain_text(re.compile(r"FN-\d{3}[A-Z]"))
    with page.expect_download() as download_info:
        page.locator("#overdue a.csv").click()
    download = download_info.value
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "team,reference,clinician,due,days_overdue"
    assert len(lines) > 1 and lines[1].startswith("FACT Noord,FN-")


def test_manager_of_another_team_gets_404(projector, login, new_context):
    admin = login(projector.new_page(), ADMIN)
    team = f"FACT Zuid {uuid.uuid4().hex[:6]}"
    email = f"manager-{uuid.uuid4().hex[:6]}@fact-zuid.example"
    admin.goto("/admin/")
    admin.fill("#team-name", team)
    admin.get_by_role("button", name="Create team").click()
    admin.goto("/admin/")
    admin.fill("#user-name", "Zuid Manager")
    admin.fill("#user-email", email)
    admin.get_by_role("button", name="Add user").click()
    link = admin.locator("#set-password-link code").inner_text()
    admin.get_by_label(team).select_option("manager")
    admin.get_by_role("button", name="Save roles").click()
    expect(admin.locator(".flash")).to_contain_text("Roles saved.")

    other = new_context("projector").new_page()
    other.goto(link)
    other.fill("#password", "a long enough secret")
    other.fill("#repeat", "a long enough secret")
    other.get_by_role("button", name="Set password").click()
    login(other, email, password="a long enough secret")
    response = other.goto("/teams/1/dashboard")
    assert response.status == 404
    assert other.goto("/teams/1/dashboard/overdue.csv").status == 404


def test_a_hostile_period_in_a_csv_link_never_names_the_saved_file(projector, login):
    """The probe's link made Chromium save the manager's CSV as evil.html; the name now comes from the parsed period."""
    page = login(projector.new_page(), MANAGER)
    hostile = ("/teams/1/dashboard/overdue.csv"
               "?from=a%22%3B%20filename*%3DUTF-8%27%27evil.html%3B%20x%3D%22&to=2026-06-30")
    with page.expect_download() as download_info:
        page.evaluate("url => { window.location.href = url; }", hostile)
    name = download_info.value.suggested_filename
    assert re.fullmatch(r"belletje-overdue-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv", name), name
