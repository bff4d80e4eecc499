"""A request looks its translations up once (meeting.web.shared.catalogue): Flask-Babel's own `_()` in a template
looks them up anew on every call (about 13 µs each on this machine against 5 µs, and a dashboard calls it hundreds of
times), so the templates' gettext callables read the request's catalogue."""
import flask_babel
from flask import render_template_string


def test_a_template_looks_the_translations_up_once_per_request(app, monkeypatch):
    lookups = []
    original = flask_babel.Domain.get_translations

    def counted(self):
        lookups.append(1)
        return original(self)
    monkeypatch.setattr(flask_babel.Domain, "get_translations", counted)
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        text = render_template_string("{% for _n in range(50) %}{{ _('Overdue') }} {% endfor %}"
                                      "{{ ngettext('%(num)s client', '%(num)s clients', 2) }}")
    assert text.count("Te laat") == 50 and text.endswith("2 cliënten") and len(lookups) == 1
