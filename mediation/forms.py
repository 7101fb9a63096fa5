"""The mediation pages' forms: the shape of the input (types, lengths, choices) in the page's
language. The rules are the services' and the models' (``services.case_create`` and the rest),
as for the API; what they refuse comes back next to the field it names."""

import re
from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.forms import OfficialOrderIterator
from areas.models import Area
from safecity.core.pages.forms import Refusal

from .choices import ALLOWED_TRANSITIONS, Agency, CaseSource, CaseStatus, Mediator, RiskLevel
from .dashboard import local_name
from .models import DisputeType
from .services import CaseError

# As the API's PartySerializer: a name of up to 100 characters, a phone of digits, +, - and
# spaces, a role of up to 50.
PHONE = re.compile(r"^[0-9+\- ]{3,20}$")
PARTY_SEPARATORS = re.compile(r"[,，;；]")
MAX_PARTIES = 20


@contextmanager
def case_refusals():
    """A case service's refusal (``CaseError``: a field and its message) shown next to that
    field, in the page's language."""
    try:
        yield
    except CaseError as exc:
        raise Refusal([(exc.field, str(exc.message))]) from exc


def case_fields(data: dict) -> dict:
    """A case's own fields from a CaseForm's cleaned data, as the services take them."""
    fields = {
        name: data[name] for name in ("type", "source", "risk", "summary", "parties", "mediators")
    }
    if data.get("screened_at"):
        fields["screened_at"] = data["screened_at"]
    return fields


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def parse_parties(text: str) -> list[dict]:
    """One party a line: ``name, phone, role`` (phone and role optional)."""
    parties = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, phone, role, *rest = [*(p.strip() for p in PARTY_SEPARATORS.split(line)), "", ""]
        if any(rest):
            raise ValidationError(
                _("第 %(line)d 行：最多三项（姓名，电话，角色）"), params={"line": number}
            )
        if not name or len(name) > 100:
            raise ValidationError(
                _("第 %(line)d 行：姓名不能为空且不超过 100 字"), params={"line": number}
            )
        if phone and not PHONE.match(phone):
            raise ValidationError(_("第 %(line)d 行：电话号码格式不正确"), params={"line": number})
        if len(role) > 50:
            raise ValidationError(_("第 %(line)d 行：角色不超过 50 字"), params={"line": number})
        parties.append({"name": name, "phone": phone, "role": role})
    if len(parties) > MAX_PARTIES:
        raise ValidationError(_("当事人最多 %(max)d 名"), params={"max": MAX_PARTIES})
    return parties


class DisputeTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return local_name(obj)


class AreaField(forms.ModelChoiceField):
    """An area, offered as a tree in the official order, each indented by its level."""

    iterator = OfficialOrderIterator

    def label_from_instance(self, obj):
        return f"{'　' * obj.level}{obj.display_name}"


class CaseForm(forms.Form):
    """A dispute case opened by hand, or from an incident (which lends its place and time)."""

    incident = forms.UUIDField(
        label=_("来源警情编号"),
        required=False,
        help_text=_("从纠纷类警情登记时填写警情编号；位置与时间取自该警情。"),
    )
    type = DisputeTypeField(
        label=_("纠纷类型"), queryset=DisputeType.objects.all(), to_field_name="code"
    )
    source = forms.ChoiceField(label=_("来源"), choices=CaseSource.choices)
    risk = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices, initial=RiskLevel.LOW)
    summary = forms.CharField(label=_("纠纷概要"), widget=forms.Textarea(attrs={"rows": 3}))
    parties = forms.CharField(
        label=_("当事人"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人：姓名，电话，角色（电话和角色可不填）"),
    )
    mediators = forms.MultipleChoiceField(
        label=_("调解力量"),
        choices=Mediator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = AreaField(
        label=_("辖区"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("选择辖区，或填写经纬度由系统定位。"),
    )
    lon = forms.FloatField(label=_("经度"), required=False)
    lat = forms.FloatField(label=_("纬度"), required=False)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    screened_at = forms.DateTimeField(
        label=_("排查时间"),
        required=False,
        widget=LocalDateTimeInput,
        help_text=_("不填为当前时间。"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.for_user(user)

    def clean_parties(self) -> list[dict]:
        return parse_parties(self.cleaned_data.get("parties", ""))


class StepField(forms.ChoiceField):
    """Offers the steps allowed now, takes any status: a step no longer allowed (the page was
    opened before someone else moved the case) is the service's to refuse, with its reason."""

    def valid_value(self, value) -> bool:
        return value in CaseStatus.values


class TransitionForm(forms.Form):
    """One step of the case's lifecycle: only the steps its status allows are offered."""

    to = StepField(label=_("转为"), choices=())
    agency = forms.ChoiceField(
        label=_("流转部门"),
        choices=[("", "—"), *Agency.choices],
        required=False,
        help_text=_("流转时必填。"),
    )
    at = forms.DateTimeField(
        label=_("时间"), required=False, widget=LocalDateTimeInput, help_text=_("不填为当前时间。")
    )
    note = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, status: str = CaseStatus.SCREENED, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS[status]
        self.fields["to"].choices = [
            (value, label) for value, label in CaseStatus.choices if value in allowed
        ]


class FollowUpForm(forms.Form):
    due_at = forms.DateTimeField(label=_("应回访时间"), widget=LocalDateTimeInput)
    note = forms.CharField(
        label=_("回访事项"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteFollowUpForm(forms.Form):
    follow_up = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(
        label=_("回访结果"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
