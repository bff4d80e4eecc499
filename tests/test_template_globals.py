"""The app's templates read the Jinja environment's own globals (meeting.TemplateEnvironment): one dict, no ChainMap
over it (the speed of a live panel's macro imports), and nothing hidden from a template loaded before a global was
set."""
from collections import ChainMap


def test_a_template_reads_the_environments_own_globals(app):
    template = app.jinja_env.get_template("base.html")
    assert template.globals is app.jinja_env.globals


def test_a_global_set_after_a_template_loaded_is_seen(app):
    template = app.jinja_env.from_string("{{ added_late() }}")
    app.jinja_env.globals["added_late"] = lambda: "seen"
    with app.test_request_context("/"):
        assert template.render() == "seen"


def test_a_template_with_globals_of_its_own_keeps_them_to_itself(app):
    template = app.jinja_env.from_string("{{ own }}", globals={"own": "mine"})
    assert isinstance(template.globals, ChainMap) and "own" not in app.jinja_env.globals
    assert template.render() == "mine"
