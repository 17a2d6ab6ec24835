"""Three-way merge of a guide's change form saved from an out-of-date copy.

The editor's form was loaded at version `base` (its edit_version token); since
then someone saved the guide (`theirs`, the database now). The posted form is
`mine`. Each field of the guide, in each language, and each field of each step
and required document (rows matched by primary key) is decided on its own:

- changed by one side only: that side's value is kept;
- changed by both to different values: a conflict the editor decides with a
  radio button ("merge__<key>" = "mine" or "theirs"); until every conflict is
  decided, nothing is written;
- a row deleted by one side and left alone by the other is deleted; deleted by
  one and edited by the other is a conflict (keep the edited row, or delete it).

Everything works on the posted data: the merged result is a new POST the
admin's own form and formsets then validate and save, so the usual rules still
apply. Values are compared with the form fields' has_changed(), the same test
Django uses to tell whether a form was edited.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.formats import localize
from django.utils.timezone import localtime
from django.utils.translation import gettext
from reversion.models import Version

from guides.models import Procedure
from portal.admin import field_label

MINE, THEIRS = "mine", "theirs"
CHOICE_PREFIX = "merge__"
ROW = "row"  # the key suffix of a deleted-against-edited row conflict


@dataclass
class Conflict:
    key: str  # the radio's name is CHOICE_PREFIX + key
    section: str
    label: str
    mine: str
    theirs: str
    chosen: str = ""

    @property
    def name(self):
        return CHOICE_PREFIX + self.key


@dataclass
class Merge:
    data: object  # the merged POST (a mutable QueryDict)
    conflicts: list[Conflict] = field(default_factory=list)
    base_found: bool = True

    @property
    def unresolved(self):
        return [c for c in self.conflicts if c.chosen not in (MINE, THEIRS)]


def base_version(procedure, token):
    """The version of the guide the form was loaded from, if it was kept."""
    if token is None:
        return None
    for version in Version.objects.get_for_object(procedure).order_by("-pk"):
        if version.field_dict.get("edit_version") == token:
            return version
    return None


def _model_fields(form_class, model):
    result = {}
    for name, form_field in form_class.base_fields.items():
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        result[name] = form_field
    return result


def _raw(form, name):
    """{posted key (unprefixed): [values]} of one field of an unbound form, as a
    browser would post it."""
    form_field = form.fields[name]
    value = form[name].value()
    widget = form_field.widget
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value) if value else []
        return {
            f"{name}_{i}": ["" if part is None else str(part)]
            for i, part in enumerate(parts)
        }
    if value is None:
        return {}
    if isinstance(value, bool) or isinstance(form_field, forms.BooleanField):
        return {name: ["on"]} if value else {}
    if isinstance(value, (list, tuple)):
        return {name: [str(item) for item in value]}
    return {name: [str(value)]}


def _keys_of(data, key):
    """The posted keys that carry the field posted as `key` (one, or a
    MultiWidget's key_0, key_1 …)."""
    return [
        k
        for k in list(data.keys())
        if k == key or (k.startswith(key + "_") and k[len(key) + 1 :].isdigit())
    ]


class _Side:
    """One side (base or theirs) of one form: its initial values and its posted form."""

    def __init__(self, form):
        self.form = form
        self.post = MultiValueDict()
        self.initial = {}
        for name in form.fields:
            self.initial[name] = form[name].initial
            for key, values in _raw(form, name).items():
                self.post.setlist(key, values)

    def raw(self, name):
        widget = self.form.fields[name].widget
        return widget.value_from_datadict(self.post, {}, name)


def _display(form_field, raw):
    """What an editor recognises of a posted value."""
    try:
        value = form_field.clean(raw)
    except (ValidationError, TypeError, ValueError):
        value = raw
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if hasattr(value, "isoformat") and hasattr(value, "tzinfo") and value.tzinfo:
        return localize(localtime(value))
    if hasattr(value, "model") and hasattr(value, "__iter__"):  # a queryset
        return ", ".join(str(item) for item in value) or "—"
    choices = getattr(form_field, "choices", None)
    if choices and not hasattr(value, "_meta"):
        flat = {}
        for key, label in choices:
            if isinstance(label, (list, tuple)):
                flat.update({str(k): v for k, v in label})
            else:
                flat[str(key)] = label
        return str(flat.get(str(value), value))
    return str(value)


def _merge_fields(
    *, fields, data, prefix, base, theirs, choices, conflicts, section, key_prefix
):
    """Merge one form's fields into `data` (keys `prefix` + name)."""
    for name, form_field in fields.items():
        if name not in theirs.form.fields:
            continue
        key = prefix + name
        mine_raw = form_field.widget.value_from_datadict(data, {}, key)
        theirs_raw = theirs.raw(name)
        if base is not None:
            initial = base.initial.get(name)
            theirs_changed = form_field.has_changed(initial, theirs_raw)
            if not theirs_changed:
                continue  # only mine changed it (or nobody): keep mine
            mine_changed = form_field.has_changed(initial, mine_raw)
        else:
            mine_changed = True
        if not mine_changed or not form_field.has_changed(
            theirs.initial.get(name), mine_raw
        ):
            _put(data, key, theirs.post, name)
            continue
        conflict = Conflict(
            key=key_prefix + name,
            section=section,
            label=field_label(theirs.form, name),
            mine=_display(form_field, mine_raw),
            theirs=_display(form_field, theirs_raw),
            chosen=choices.get(CHOICE_PREFIX + key_prefix + name, ""),
        )
        conflicts.append(conflict)
        if conflict.chosen == THEIRS:
            _put(data, key, theirs.post, name)


def _put(data, key, source, name):
    """Replace the posted field `key` in data with field `name` of source."""
    for k in _keys_of(data, key):
        del data[k]
    for k in _keys_of(source, name):
        data.setlist(key + k[len(name) :], source.getlist(k))


def merge_post(*, procedure, post, form_class, formsets):
    """Merge the stale POST `post` with the guide as saved now.

    `form_class` is the admin's form class for the guide; `formsets` a list of
    (FormSet class, prefix) of its inlines. Returns a Merge whose data carries the
    current token when every conflict is decided (or there was none), else the
    old token (so that the next post is merged against the same base).
    """
    data = post.copy()
    choices = {k: v for k, v in post.items() if k.startswith(CHOICE_PREFIX)}
    token = post.get("version_token")
    try:
        token = int(token)
    except (TypeError, ValueError):
        token = None
    version = base_version(procedure, token)
    conflicts = []

    # The guide's own fields.
    fields = _model_fields(form_class, Procedure)
    theirs = _Side(form_class(instance=procedure))
    base = None
    if version is not None:
        base_object = version._object_version.object
        m2m = {
            name: version.field_dict.get(name) or []
            for name in fields
            if Procedure._meta.get_field(name).many_to_many
        }
        base = _Side(form_class(instance=base_object, initial=m2m))
    _merge_fields(
        fields=fields,
        data=data,
        prefix="",
        base=base,
        theirs=theirs,
        choices=choices,
        conflicts=conflicts,
        section=gettext("Guide"),
        key_prefix="",
    )

    # Steps and documents, row by row.
    for formset_class, prefix in formsets:
        _merge_rows(
            data=data,
            procedure=procedure,
            formset_class=formset_class,
            prefix=prefix,
            version=version,
            choices=choices,
            conflicts=conflicts,
        )

    merge = Merge(data=data, conflicts=conflicts, base_found=version is not None)
    if not merge.unresolved:
        data["version_token"] = str(procedure.edit_version)
    for k in [k for k in data if k.startswith(CHOICE_PREFIX)]:
        del data[k]
    return merge


def _posted_rows(data, prefix):
    """The formset's posted rows: [MultiValueDict of unprefixed keys]."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    rows = [MultiValueDict() for _ in range(max(total, 0))]
    start = f"{prefix}-"
    for key in list(data.keys()):
        if not key.startswith(start):
            continue
        index, _sep, rest = key[len(start) :].partition("-")
        if index.isdigit() and int(index) < len(rows) and rest:
            rows[int(index)].setlist(rest, data.getlist(key))
    return rows


def _truthy(row, key):
    value = row.get(key)
    return value not in (None, "", "off", "false", "False", "0")


def _merge_rows(*, data, procedure, formset_class, prefix, version, choices, conflicts):
    model = formset_class.model
    fk_name = formset_class.fk.name
    form_class = formset_class.form
    fields = _model_fields(form_class, model)
    label = model._meta.verbose_name

    theirs_rows = {
        obj.pk: obj for obj in model._default_manager.filter(**{fk_name: procedure})
    }
    base_rows = None
    if version is not None:
        content_type = ContentType.objects.get_for_model(model)
        base_rows = {}
        for related in version.revision.version_set.filter(content_type=content_type):
            obj = related._object_version.object
            if getattr(obj, f"{fk_name}_id") == procedure.pk:
                base_rows[obj.pk] = obj

    def side(obj):
        return _Side(form_class(instance=obj))

    def section(row_data, obj):
        position = row_data.get("position") if row_data else None
        position = position or getattr(obj, "position", "")
        return f"{str(label).capitalize()} {position}".strip()

    kept, added = [], []  # rows that exist in the database now; new rows
    seen = set()

    def whole_row(key_prefix, where, mine, theirs):
        """One side deleted the row, the other changed it: the editor chooses."""
        conflict = Conflict(
            key=key_prefix + ROW,
            section=where,
            label=gettext("Whole row"),
            mine=mine,
            theirs=theirs,
            chosen=choices.get(CHOICE_PREFIX + key_prefix + ROW, ""),
        )
        conflicts.append(conflict)
        return conflict

    for row in _posted_rows(data, prefix):
        pk = row.get("id")
        try:
            pk = int(pk) if pk else None
        except ValueError:
            pk = None
        if pk is None:
            added.append(row)
            continue
        seen.add(pk)
        deleted = _truthy(row, "DELETE")
        base_obj = base_rows.get(pk) if base_rows is not None else None
        base = side(base_obj) if base_obj is not None else None
        theirs_obj = theirs_rows.get(pk)
        key_prefix = f"{prefix}-{pk}-"
        if theirs_obj is None:  # they deleted it
            if deleted or (base is not None and not _row_changed(fields, base, row)):
                continue
            conflict = whole_row(
                key_prefix,
                section(row, base_obj),
                gettext("Kept, with your changes"),
                gettext("Deleted"),
            )
            if conflict.chosen == MINE:
                row.pop("id", None)
                added.append(row)  # brought back as a new row
            elif conflict.chosen != THEIRS:
                # Undecided: nothing is saved; the row is shown again with its
                # id, so that the next post finds the same conflict.
                added.append(row)
            continue
        theirs = side(theirs_obj)
        if deleted:
            theirs_changed = base is None or _sides_differ(fields, base, theirs)
            if not theirs_changed:
                kept.append(row)
                continue
            conflict = whole_row(
                key_prefix,
                section(row, theirs_obj),
                gettext("Deleted"),
                gettext("Kept, with their changes"),
            )
            if conflict.chosen == THEIRS:
                kept.append(_row_from(theirs, theirs_obj, procedure, fk_name))
            else:
                kept.append(row)
            continue
        _merge_fields(
            fields=fields,
            data=row,
            prefix="",
            base=base,
            theirs=theirs,
            choices=choices,
            conflicts=conflicts,
            section=section(row, theirs_obj),
            key_prefix=key_prefix,
        )
        kept.append(row)
    for pk, obj in theirs_rows.items():
        if pk not in seen:  # added by them
            kept.append(_row_from(side(obj), obj, procedure, fk_name))

    # Write the formset back: rows that exist first (the initial forms), then new.
    for key in [k for k in data if k.startswith(f"{prefix}-")]:
        if not key.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")) and (
            not key.endswith("MAX_NUM_FORMS")
        ):
            del data[key]
    for index, row in enumerate([*kept, *added]):
        for key in row:
            data.setlist(f"{prefix}-{index}-{key}", row.getlist(key))
    data[f"{prefix}-TOTAL_FORMS"] = str(len(kept) + len(added))
    data[f"{prefix}-INITIAL_FORMS"] = str(len(kept))


def _row_changed(fields, base, row):
    return any(
        f.has_changed(
            base.initial.get(name), f.widget.value_from_datadict(row, {}, name)
        )
        for name, f in fields.items()
        if name in base.form.fields
    )


def _sides_differ(fields, base, theirs):
    return any(
        f.has_changed(base.initial.get(name), theirs.raw(name))
        for name, f in fields.items()
        if name in base.form.fields
    )


def _row_from(theirs, obj, procedure, fk_name):
    row = MultiValueDict()
    for key in theirs.post:
        row.setlist(key, theirs.post.getlist(key))
    row["id"] = str(obj.pk)
    row[fk_name] = str(procedure.pk)
    return row
