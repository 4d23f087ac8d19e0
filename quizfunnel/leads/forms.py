"""The lead-capture form a visitor fills in at the end of a quiz."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import signing
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from quizfunnel.quizzes.models import FieldRule, LeadField, Quiz

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HONEYPOT = "website"
TIMESTAMP_SALT = "quizfunnel.leads.form-shown"

CONSENT_REQUIRED = _("Please tick the box to agree before continuing.")
TOO_FAST = _("Please check your details and send them again.")

phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{6,40}$", _("Enter a phone number using digits.")
)


def form_shown_token() -> str:
    """Sign the current time, to tell later how long the form took."""
    return signing.dumps(str(time.time()), salt=TIMESTAMP_SALT)


class LeadForm(forms.Form):
    """The quiz's lead fields, consent, and two quiet checks against bots.

    A hidden honeypot field real people leave empty, and a signed time of
    when the form was shown, so a submission faster than a person could
    type is caught.
    """

    email = forms.EmailField(label=_("Email"), max_length=254)

    def __init__(
        self,
        *args: Any,
        quiz: Quiz,
        lead_fields: list[LeadField],
        min_fill_seconds: float = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.quiz = quiz
        self.min_fill_seconds = min_fill_seconds
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self._add_rule_field("name", _("Name"), quiz.ask_name, 200, "name")
        self._add_rule_field("phone", _("Phone"), quiz.ask_phone, 40, "tel")
        self._add_rule_field(
            "company", _("Company"), quiz.ask_company, 200, "organization"
        )
        if "phone" in self.fields:
            self.fields["phone"].validators.append(phone_validator)
        self.custom_keys: list[tuple[str, str]] = []
        for lead_field in lead_fields:
            name = f"extra_{lead_field.key}"
            self.custom_keys.append((name, lead_field.key))
            self.fields[name] = forms.CharField(
                label=lead_field.label, max_length=500, required=lead_field.required
            )
        if quiz.consent_text:
            self.fields["consent"] = forms.BooleanField(
                label=quiz.consent_text,
                required=quiz.consent_required,
                error_messages={"required": CONSENT_REQUIRED},
            )
        self.fields[HONEYPOT] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )
        self.fields["shown"] = forms.CharField(
            widget=forms.HiddenInput, initial=form_shown_token, required=False
        )

    def _add_rule_field(
        self,
        name: str,
        label: StrOrPromise,
        rule: str,
        max_length: int,
        autocomplete: str,
    ) -> None:
        if rule == FieldRule.OFF:
            return
        self.fields[name] = forms.CharField(
            label=label,
            max_length=max_length,
            required=rule == FieldRule.REQUIRED,
            widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
        )

    @property
    def is_honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def clean_shown(self) -> str:
        value: str = self.cleaned_data["shown"]
        if self.min_fill_seconds <= 0:
            return value
        try:
            shown_at = float(signing.loads(value, salt=TIMESTAMP_SALT, max_age=86400))
        except (signing.BadSignature, TypeError, ValueError):
            shown_at = None
        if shown_at is None or time.time() - shown_at < self.min_fill_seconds:
            # The form comes back with a fresh time, so sending it again works.
            data = (
                self.data.copy() if isinstance(self.data, QueryDict) else {**self.data}
            )
            data["shown"] = form_shown_token()
            self.data = data
            raise forms.ValidationError(TOO_FAST)
        return value

    def visible_fields_for_visitor(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in (HONEYPOT, "shown")]

    def extra(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(name, "") for name, key in self.custom_keys}
