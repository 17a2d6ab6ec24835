import reversion
from modeltranslation.translator import TranslationOptions, register

from guides.models import (
    Advice,
    Document,
    Procedure,
    Requirement,
    Source,
    Step,
    Task,
    Update,
)


@register(Task)
class TaskTranslation(TranslationOptions):
    fields = ("name", "description", "request", "search_terms")


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Advice)
class AdviceTranslation(TranslationOptions):
    fields = ("title", "body")


@register(Source)
class SourceTranslation(TranslationOptions):
    fields = ("title", "publisher", "note")


@register(Procedure)
class ProcedureTranslation(TranslationOptions):
    fields = ("title", "summary", "fee_note", "where", "source_note")


@register(Step)
class StepTranslation(TranslationOptions):
    fields = ("title", "body", "contact_label")


@register(Requirement)
class RequirementTranslation(TranslationOptions):
    fields = ("condition", "note")


@register(Update)
class UpdateTranslation(TranslationOptions):
    fields = ("note",)


# History (django-reversion) is registered here, after the translation registrations
# above: reversion fixes a model's field list when it is registered, and only now
# does that list hold every language's column. A revision of a guide holds the guide
# with its steps and required documents.
reversion.register(Step)
reversion.register(Requirement)
reversion.register(
    Procedure,
    follow=["steps", "requirements"],
    # Rebuilt from the text by guides.search.engine.reindex() after a restore.
    exclude=["search_document", "search_pairs", "untranslated"],
)
