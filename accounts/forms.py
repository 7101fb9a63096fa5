from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import lockout


class LoginForm(AuthenticationForm):
    """The login form, telling a refused attempt (accounts.lockout) from a wrong password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("登录失败次数过多，该账号已锁定，请 %(minutes)s 分钟后再试。"),
        "address_locked": _("此地址登录失败次数过多，已暂停登录，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # Refused unchecked: the password was never compared, so this says nothing about it.
            rule = getattr(self.request, "lockout_rule", None)
            if rule is not None:
                raise self._locked_error(rule) from None
            raise

    def _locked_error(self, rule) -> forms.ValidationError:
        code = "address_locked" if rule.parameters == lockout.ADDRESS_RULE else "locked"
        return forms.ValidationError(
            self.error_messages[code],
            code=code,
            params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
        )


class OTPTokenForm(forms.Form):
    token = forms.RegexField(
        label=_("动态验证码"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("请输入 6 位数字验证码。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()
