"""The report in a real browser: the secretariat writes a summary from the speakers list and
publishes the draft report, the speaker proposes a correction, the secretariat accepts it, the
Chair records the adoption, and the adopted report is there for everyone, with its files."""

from __future__ import annotations

from tests import proceedings_world as pw
from tests.conftest import PASSWORD


def test_from_the_speakers_list_to_the_adopted_report(make_user, make_meeting, make_participant, signed_in_page,
                                                      live_server):
    w = pw.build(make_user, make_meeting, make_participant)
    report_url = f"{live_server}/meetings/{w.meeting.id}/report"

    sec = signed_in_page(w.secretariat, PASSWORD)
    sec.goto(report_url)
    sec.get_by_role("link", name="Third sitting").click()
    sec.get_by_role("link", name="Write the summary — Africa Coordinator").click()
    assert sec.get_by_label("On behalf of").input_value() == "AFRICA"
    sec.get_by_label("Summary").fill("Supported paragraph 1 for the Africa group.")
    sec.get_by_role("button", name="Save the summary").click()
    sec.get_by_text("The summary is saved.").wait_for()
    sec.goto(report_url)
    sec.get_by_label("Deadline for corrections (meeting time)").fill("2099-01-01T12:00")
    sec.get_by_label("Publish the draft report to every participant").check()
    sec.get_by_role("button", name="Publish to the participants").click()
    sec.get_by_text("The draft report is published").wait_for()

    speaker = signed_in_page(w.u["africa"], PASSWORD)
    speaker.goto(report_url)
    speaker.get_by_role("link", name="Propose a correction to your intervention").click()
    speaker.get_by_label("Corrected summary").fill("Strongly supported paragraph 1 for the Africa group.")
    speaker.get_by_role("button", name="Send the correction").click()
    speaker.get_by_text("Your correction is sent to the secretariat.").wait_for()

    sec.goto(f"{report_url}/corrections")
    sec.get_by_role("button", name="Accept").click()
    sec.get_by_text("The correction is accepted").wait_for()

    chair = signed_in_page(w.u["chair"], PASSWORD)
    chair.goto(report_url)
    chair.get_by_role("link", name="Record the adoption of the report").click()
    chair.get_by_label("How the body adopted its report").select_option("consensus")
    chair.get_by_label("The Chair declared the report adopted; record it and freeze the report").check()
    chair.get_by_role("button", name="Record the adoption").click()
    chair.get_by_text("The report is adopted and frozen.").wait_for()

    delegate = signed_in_page(w.u["kenya"], PASSWORD)
    delegate.goto(report_url)
    delegate.get_by_role("heading", name="Adoption of the report").wait_for()
    assert "Strongly supported paragraph 1 for the Africa group." in delegate.content()
    with delegate.expect_download() as download:
        delegate.get_by_role("link", name="PDF · en").click()
    assert download.value.suggested_filename.endswith("-adopted-en.pdf")
    for page in (sec, speaker, chair, delegate):
        assert page.console_errors == []
