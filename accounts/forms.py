from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import lockout


class LoginForm(AuthenticationForm):
    """The login form, refusing a locked-out username with its own message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("登录失败次数过多，该账号已锁定，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and lockout.is_locked(username):
            raise self._locked_error()
        try:
            return super().clean()
        except forms.ValidationError:
            if username and lockout.is_locked(username):
                raise self._locked_error() from None
            raise

    def _locked_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["locked"],
            code="locked",
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
