"""A save the guide admin refuses still keeps what was typed.

When the guide went live while an editor was editing it (editors may no longer
change it), or the editor's session lapsed, the answer is a page in the admin's
style that says what happened, shows every value typed (every language, the
steps and the documents) ready to copy, and offers what can be done with them:
send them to a publisher as a proposed change, or log in again and paste them.
"""

from django.contrib import messages
from django.db import models
from django.forms import MultiWidget
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from guides.editorial import services
from guides.editorial.forms import ProcedureAdminForm
from guides.models import Procedure, Requirement, Step

# Posted keys that hold no typed value: the form's machinery.
MACHINERY = {"csrfmiddlewaretoken", "version_token", "_action", "proposal_message"}
INLINES = {"steps": Step, "requirements": Requirement}
ROW_MACHINERY = {"id", "procedure", "DELETE"}


def _label(model, form_fields, name):
    """The label the form showed for a posted name (a split date-time's parts
    too), or None for a name no field of the form has."""
    if name in form_fields:
        return capfirst(str(form_fields[name].label or name))
    try:
        return capfirst(str(model._meta.get_field(name).verbose_name))
    except Exception:
        base, _sep, part = name.rpartition("_")
        field = form_fields.get(base)
        if (
            part.isdigit()
            and field is not None
            and isinstance(field.widget, MultiWidget)
        ):
            return capfirst(str(field.label or base))
        return None


def _shown(model, name, values):
    """A typed value as the editor chose it: names, not ids."""
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return " ".join(values)
    if model_field.is_relation:
        ids = [value for value in values if value.isdigit()]
        related = model_field.related_model._default_manager.filter(pk__in=ids)
        return ", ".join(str(obj) for obj in related)
    if model_field.choices:
        labels = dict(model_field.flatchoices)
        return ", ".join(str(labels.get(value, value)) for value in values)
    if isinstance(model_field, models.BooleanField):
        return gettext("yes")
    return "\n".join(values)


def typed_values(post):
    """[[section, label, value]] of every non-empty value in a posted guide
    form, in the order of the form: the guide, then each step and document."""
    guide_fields = ProcedureAdminForm.base_fields
    guide, rows = [], {}
    for key in post:
        values = [value for value in post.getlist(key) if value.strip()]
        if key in MACHINERY or key.startswith("merge__") or not values:
            continue
        prefix, _sep, rest = key.partition("-")
        if prefix in INLINES and rest:
            index, _sep, name = rest.partition("-")
            if not index.isdigit() or name in ROW_MACHINERY or not name:
                continue
            model = INLINES[prefix]
            label = _label(model, {}, name)
            if label:
                rows.setdefault((prefix, int(index)), []).append(
                    [label, _shown(model, name, values)]
                )
            continue
        label = _label(Procedure, guide_fields, key)
        if label:
            guide.append([gettext("Guide"), label, _shown(Procedure, key, values)])
    found = guide
    for (prefix, index), fields in sorted(rows.items()):
        position = post.get(f"{prefix}-{index}-position", "")
        if prefix == "steps":
            section = gettext("Step %(position)s") % {"position": position or "?"}
        else:
            section = gettext("Document %(position)s") % {"position": position or "?"}
        found += [[section, label, value] for label, value in fields]
    return found


def as_text(values):
    """The values as one plain text to copy and paste."""
    return "\n\n".join(
        f"{section} · {label}:\n{value}" for section, label, value in values
    )


def kept_values_response(model_admin, request, procedure, *, reason, status):
    """The page that answers a refused save, `reason` "published" (editors may
    no longer change the guide) or "session" (logged out meanwhile)."""
    values = typed_values(request.POST)
    sections = {}
    for section, label, value in values:
        sections.setdefault(section, []).append((label, value))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": procedure,
        "title": gettext("Not saved: your changes are kept below"),
        "reason": reason,
        "sections": sections.items(),
        "text": as_text(values),
        "hidden": [
            (key, value)
            for key in request.POST
            if key not in ("csrfmiddlewaretoken", "proposal_message")
            for value in request.POST.getlist(key)
        ],
        "login_url": reverse("admin:login")
        + "?next="
        + reverse("admin:guides_procedure_change", args=[procedure.pk]),
    }
    return TemplateResponse(
        request,
        "admin/guides/procedure/kept_values.html",
        context,
        status=status,
    )


def keep_values_when_logged_out(model_admin, view):
    """The change view, answering a post from a lapsed session with the kept
    values rather than the admin's redirect to its login page (which loses
    them)."""

    @never_cache
    def change(request, object_id, *args, **kwargs):
        if request.method == "POST" and not model_admin.admin_site.has_permission(
            request
        ):
            procedure = Procedure.objects.filter(pk=object_id).first()
            if procedure is not None:
                return kept_values_response(
                    model_admin, request, procedure, reason="session", status=401
                )
        return view(request, object_id, *args, **kwargs)

    return change


def propose_view(model_admin, request, object_id):
    """Store a refused save's values as a proposed change that publishers
    find in Needs attention; back to the guide."""
    procedure = model_admin._procedure_or_404(request, object_id)
    if request.method != "POST":
        return HttpResponseRedirect(
            reverse("admin:guides_procedure_change", args=[procedure.pk])
        )
    services.review_note_add(
        procedure=procedure,
        author=request.user,
        kind="proposal",
        text=request.POST.get("proposal_message", "").strip(),
        proposed=typed_values(request.POST),
    )
    model_admin.message_user(
        request,
        gettext(
            "Sent to the publishers as a proposed change: they see it in "
            "Needs attention, with everything you typed."
        ),
        messages.SUCCESS,
    )
    return HttpResponseRedirect(
        reverse("admin:guides_procedure_change", args=[procedure.pk])
    )
