import json

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from guides.content_file.format import (
    CONTENT_MODELS,
    FORMAT,
    KIND_BY_MODEL,
    KINDS,
    USERS,
    VERSION,
    dump_row,
    exported_fields,
)
from portal.languages import language_codes, translated_fields


def export_data():
    data = {
        "format": FORMAT,
        "version": VERSION,
        "languages": language_codes(),
        USERS: referenced_usernames(),
    }
    for kind in KINDS:
        rows = []
        queryset = with_relations(
            kind.model.objects.order_by(*kind_ordering(kind)),
            children=[
                Prefetch(
                    child.name,
                    with_relations(
                        child.model.objects.order_by(*child_ordering(child)),
                        skip=[child.parent_field],
                    ),
                )
                for child in kind.children
            ],
        )
        for obj in queryset:
            row = dump_row(obj)
            for child in kind.children:
                row[child.name] = [
                    dump_row(item, skip=[child.parent_field])
                    for item in getattr(obj, child.name).all()
                ]
            rows.append(row)
        data[kind.name] = rows
    return data


def user_fields(model):
    return [
        name
        for name, f in exported_fields(model)
        if f.is_relation and f.related_model is get_user_model()
    ]


def referenced_usernames():
    """The users the content names (who verified a guide), by username only:
    an import into an empty database creates them, so the names survive a
    round trip, and the file carries no other personal data."""
    user = get_user_model()
    names = set()
    for model in CONTENT_MODELS:
        for name in user_fields(model):
            names.update(
                model.objects.filter(**{f"{name}__isnull": False}).values_list(
                    f"{name}__{user.USERNAME_FIELD}", flat=True
                )
            )
    return sorted(names)


def kind_ordering(kind):
    # Natural-key order (related keys by their own slug), so files diff well.
    ordering = []
    for name in kind.key:
        f = kind.model._meta.get_field(name)
        if f.is_relation:
            ordering += [f"{name}__{n}" for n in KIND_BY_MODEL[f.related_model].key]
        else:
            ordering.append(name)
    return ordering


def child_ordering(child):
    return child.order_by or child.key or ("pk",)


def child_queryset(child, parent):
    queryset = child.model.objects.filter(**{child.parent_field: parent})
    return queryset.order_by(*child_ordering(child))


def with_relations(queryset, skip=(), children=()):
    """The rows with every related row their export follows (and the related
    rows' own natural keys) loaded up front: row by row, a file of 300 guides
    took 3,708 queries."""

    def key_paths(model, prefix):
        kind = KIND_BY_MODEL.get(model)
        for name in kind.key if kind else ():
            f = model._meta.get_field(name)
            if f.is_relation:
                yield prefix + name
                yield from key_paths(f.related_model, f"{prefix}{name}__")

    single, many = [], list(children)
    for name, f in exported_fields(queryset.model, skip):
        if f.is_relation and name not in translated_fields(queryset.model):
            paths = [name, *key_paths(f.related_model, f"{name}__")]
            (many if f.many_to_many else single).extend(paths)
    # select_related() with no names would follow every foreign key.
    queryset = queryset.select_related(*single) if single else queryset
    return queryset.prefetch_related(*many)


def export_json():
    """The whole content as text: stable order, one field per line."""
    return json.dumps(export_data(), ensure_ascii=False, indent=2) + "\n"
