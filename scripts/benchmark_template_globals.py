"""Benchmark: one render of a template that imports macros 14 times over (as a live panel's agenda rows do), under
Jinja's own template globals (a ChainMap over the environment's), a copy made when the template loads, and the
environment's own dict (meeting.TemplateEnvironment). A benchmark, not a test: it prints figures.

    python scripts/benchmark_template_globals.py
"""
import statistics
import sys
import tempfile
import time
from collections import ChainMap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import meeting  # noqa: E402

VARIANTS = {
    "Jinja's ChainMap": lambda self, d: ChainMap(d or {}, self.globals),
    "a copy at load": lambda self, d: {**self.globals, **(d or {})},
    "the environment's dict": lambda self, d: self.globals if not d else ChainMap(d, self.globals),
}
ROWS = "".join(f'{{% from "_forms.html" import csrf as f{i} %}}'
               f'{{% from "_evaluation_form.html" import choice as c{i} %}}' for i in range(14))


def main() -> None:
    for name, make_globals in VARIANTS.items():
        meeting.TemplateEnvironment.make_globals = make_globals  # type: ignore[method-assign]
        app = meeting.create_app({"TESTING": True, "DATABASE": tempfile.mktemp(), "SECRET_KEY": "benchmark"})
        with app.test_request_context("/"):
            template = app.jinja_env.from_string(ROWS)
            template.render()
            samples = []
            for _ in range(7):
                began = time.perf_counter()
                for _ in range(200):
                    template.render()
                samples.append((time.perf_counter() - began) / 200 * 1000)
        print(f"{name:24} {statistics.median(samples):.3f} ms a render (median of 7 x 200)")


if __name__ == "__main__":
    main()
