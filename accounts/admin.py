from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "home_area", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    autocomplete_fields = ("home_area",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("辖区与角色"), {"fields": ("role", "home_area")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("辖区与角色"), {"fields": ("role", "home_area")}),
    )
