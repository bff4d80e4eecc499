"""Views read what their templates show and pass it in: no template global reads the database, and what the views
now pass still shows (the evaluation with the client falling due before the team's next review, the colleague whose
input an item wants)."""
import inspect


def test_no_template_global_reads_the_database(app):
    reading = set()
    for name, value in app.jinja_env.globals.items():
        if inspect.isfunction(value) and value.__module__.startswith("meeting."):
            source = inspect.getsource(value)
            if "get_db(" in source or "_store." in source or "_members(" in source:
                reading.add(name)
    assert reading == set()


def test_the_planner_and_the_item_form_show_the_evaluation_with_the_client_falling_due(as_user, world, db):
    """A-001 started in January 2024 and was never evaluated with: due, and the review on the agenda is the last
    before the team's next one."""
    team, meeting, item = world["team_a"], world["meeting_a"], world["item_a"]
    plan = as_user("chair.a@example.org").get(f"/teams/{team}/meetings/{meeting}/plan").text
    assert f'id="with-client-needed-{item}"' in plan
    form = as_user("member.a@example.org").get(f"/teams/{team}/items/{item}/edit").text
    assert 'id="with-client-needed"' in form
    # the colleagues one may name for input: the team's other active members, passed by the view
    named = form.split('class="colleagues"')[1].split("</details>")[0]
    assert "chair a" in named and "manager a" in named and "member a" not in named


def test_the_story_and_the_decision_form_name_the_colleague_whose_input_is_wanted(as_user, world):
    """The names come from the view (`input_names`), as on the projector, the phones and the minutes."""
    from test_review_substance import HX, open_item, prepared, urls

    member = as_user("member.a@example.org")
    assert member.post(urls(world)["edit"], prepared(world)).status_code == 302
    for page in (urls(world)["story"], urls(world)["story"] + "/fragment"):
        assert "from psychiatrist, chair a" in member.get(page).text
    chair = open_item(as_user, world)
    assert "from psychiatrist, chair a" in chair.get(urls(world)["decide"], headers=HX).text
