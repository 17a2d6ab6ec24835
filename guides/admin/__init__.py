"""The guides app in the Django admin: the guide editor (procedures.py), the
shared content it uses (reference.py) and what visitors and watched sources
report to editors (feedback.py). Importing them registers them."""

from django.contrib import admin

from guides.admin import feedback, procedures, reference

# The admin home links to "Needs attention" (for those who may see guides).
admin.site.index_template = "admin/guides/index.html"

__all__ = ["feedback", "procedures", "reference"]
