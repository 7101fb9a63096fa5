"""Pages that write: forms on the shell, checked by the same services the API calls.

A form page names its forms (``forms = {"transition": TransitionForm, ...}``); each posts a
hidden ``form`` field with its name, and the page's ``submit_<name>(data)`` calls the service.
The form checks the shape of the input (types, lengths, choices) in the page's language; the
service checks the rules, as for the API, and what it refuses is shown next to the field it
names, or above the form. On any error the page is rendered again with what was typed, and
answers 400; on success it redirects (post/redirect/get) with a message.
"""

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms import Form, TextInput
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from accounts.policy import allows

from .base import ShellPage

FORM_FIELD = "form"


class Refusal(Exception):
    """A service's refusal shown on a form: ``problems`` are (field or None, message)."""

    def __init__(self, problems: Iterable[tuple[str | None, str]]):
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


def refusal_problems(exc: Exception) -> list[tuple[str | None, str]]:
    """What an exception raised by a service says, as (field or None, message) pairs.

    Django's ValidationError (a model's ``clean()``) by field; an exception with ``problems``
    (the ingest's RowError: items with ``field`` and ``message``) by field; anything else as
    one message for the whole form. Messages are looked up in the active language's catalogue:
    the services' messages are marked for translation where they are written."""
    if isinstance(exc, Refusal):
        return exc.problems
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                (None if field == NON_FIELD_ERRORS else field, message)
                for field, field_messages in exc.message_dict.items()
                for message in field_messages
            ]
        return [(None, message) for message in exc.messages]
    problems = getattr(exc, "problems", None)
    if problems is not None:
        return [(problem.field, gettext(problem.message)) for problem in problems]
    return [(None, gettext(str(exc)))]


def show_refusal(form: Form, exc: Exception) -> None:
    """Put a service's refusal on the form: next to the field it names when the form has that
    field, otherwise above the form (naming the field, so nothing is hidden)."""
    for field, message in refusal_problems(exc):
        if field in form.fields:
            form.add_error(field, message)
        elif field:
            form.add_error(None, f"{field}: {message}")
        else:
            form.add_error(None, message)


class DatalistInput(TextInput):
    """A text input offering a list of usual values (an HTML datalist) while taking any."""

    def __init__(self, options=(), attrs=None):
        super().__init__(attrs)
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}_options"
        attrs = {**(attrs or {}), "list": list_id}
        options = format_html_join("", '<option value="{}">', ((o,) for o in self.options))
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class ShellFormPage(ShellPage):
    """A shell page with forms that write through services.

    ``forms``: name → form class. ``permissions``: name → the permission a user needs to see
    and post that form (forms the user may not use are not offered, and posting one is 403),
    checked in the area of ``permission_area()`` when the page is about one object.
    ``required_permission``: the permission needed to open the page at all (403 otherwise).
    ``offers(name)``: whether a form the user may use applies now (a lifecycle step from the
    current status); one that does not is not shown, but a post of it still reaches the
    service, whose refusal is shown (the page may be stale).
    ``refusals``: the exception types the services raise for input they refuse; anything else
    is a bug and is not caught."""

    forms: dict[str, type[Form]] = {}
    permissions: dict[str, str] = {}
    required_permission: str | None = None
    refusals: tuple[type[Exception], ...] = (ValidationError, Refusal)

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and self.required_permission
            and not allows(user, self.required_permission)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def permission_area(self) -> str | None:
        """The area path the forms' permissions are checked in (None: the permission alone)."""
        return None

    def may_use(self, name: str) -> bool:
        permission = self.permissions.get(name)
        return permission is None or allows(
            self.request.user, permission, area_path=self.permission_area()
        )

    def offers(self, name: str) -> bool:
        return True

    def form_kwargs(self, name: str) -> dict:
        """The keyword arguments of form ``name`` besides its data: override per page."""
        return {"initial": self.initial(name)}

    def initial(self, name: str) -> dict:
        return {}

    def build_form(self, name: str, data=None, files=None) -> Form:
        return self.forms[name](data=data, files=files, prefix=name, **self.form_kwargs(name))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = kwargs.get("bound_forms", {})
        context["forms"] = {
            name: bound.get(name) or self.build_form(name)
            for name in self.forms
            if self.may_use(name) and (name in bound or self.offers(name))
        }
        return context

    def post(self, request, *args, **kwargs):
        name = request.POST.get(FORM_FIELD, "")
        if name not in self.forms:
            return self.render_to_response(self.get_context_data(), status=400)
        if not self.may_use(name):
            raise PermissionDenied
        form = self.build_form(name, request.POST, request.FILES)
        if form.is_valid():
            try:
                result = getattr(self, f"submit_{name}")(form.cleaned_data)
            except self.refusals as exc:
                show_refusal(form, exc)
            else:
                message = self.success_message(name, result)
                if message:
                    messages.success(request, message)
                return redirect(self.success_url(name, result))
        context = self.get_context_data(bound_forms={name: form})
        return self.render_to_response(context, status=400)

    def success_message(self, name: str, result) -> str:
        return gettext("已保存。")

    def success_url(self, name: str, result) -> str:
        """Where a successful post goes: this page again, by default."""
        return self.request.get_full_path()
