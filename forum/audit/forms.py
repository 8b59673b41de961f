"""The audit log's filter form (a GET form: it changes nothing, so it carries no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional, ValidationError

from forum.audit.queries import LogFilters


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Actor"), validators=[Optional(), Length(max=254)],
                        description=_l("Part of an email address or a name"))
    action = StringField(_l("Action"), validators=[Optional(), Length(max=60)],
                         description=_l("An action or its beginning, e.g. user."),
                         render_kw={"list": "audit-actions"})
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40)],
                              render_kw={"list": "audit-object-types"})
    object_id = StringField(_l("Object id"), validators=[Optional(), Length(max=40)])
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("To (date)"), validators=[Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self, timezone: str) -> LogFilters:
        """The valid part of what was asked: a field in error filters nothing."""

        def text(name: str) -> str:
            field = getattr(self, name)
            return "" if field.errors else (field.data or "").strip()

        def day(name: str):
            field = getattr(self, name)
            return None if field.errors else field.data

        return LogFilters(actor=text("actor"), action=text("action"), object_type=text("object_type"),
                          object_id=text("object_id"), date_from=day("date_from"), date_to=day("date_to"),
                          timezone=timezone)
