"""Django's makemessages, taught to read the Jinja2 templates.

Django extracts strings from templates by translating its own template language
into Python for xgettext. The public templates are Jinja2 (portal/jinja2.py),
so for files that engine loads we ask Jinja2 for the strings instead and hand
xgettext the equivalent gettext()/ngettext() calls, each on its template line
so the .po references stay right. Everything else is unchanged.
"""

from pathlib import Path

from django.core.management.commands import makemessages
from django.template import engines
from django.template.backends.jinja2 import Jinja2


def jinja2_engine():
    return next(e for e in engines.all() if isinstance(e, Jinja2))


def as_python(source, environment):
    lines = [[] for _ in source.splitlines()] or [[]]
    for lineno, function, strings in environment.extract_translations(source):
        # Babel style: the call's arguments, None where one is not a string
        # (a {% trans %} block's variables are keyword arguments).
        strings = (strings,) if isinstance(strings, str) else strings
        if function == "ngettext":
            call = f"ngettext({strings[0]!r}, {strings[1]!r}, n)"
        else:
            call = f"gettext({strings[0]!r})"
        lines[lineno - 1].append(call)
    return "\n".join("; ".join(calls) for calls in lines) + "\n"


class BuildFile(makemessages.BuildFile):
    def preprocess(self):
        engine = jinja2_engine()
        path = Path(self.path).resolve()
        if not any(path.is_relative_to(Path(d).resolve()) for d in engine.dirs):
            return super().preprocess()
        source = path.read_text(encoding="utf-8")
        with open(self.work_path, "w", encoding="utf-8") as out:
            out.write(as_python(source, engine.env))


class Command(makemessages.Command):
    build_file_class = BuildFile
