"""The segment forms: "Save these filters" (a name) and the confirmation of a delete."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from portal.customers.segment_models import SEGMENT_NAME_MAX


class SegmentForm(FlaskForm):
    """A segment's name; the rules (length, unique) are the service's."""

    name = StringField(
        _l("Segment name"),
        render_kw={"maxlength": str(SEGMENT_NAME_MAX), "required": True, "autocomplete": "off"},
    )


class SegmentDeleteForm(FlaskForm):
    """The confirmed delete: CSRF only."""
