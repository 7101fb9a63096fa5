from django.contrib import admin

from .models import AddressLoad, StandardAddress


@admin.register(StandardAddress)
class StandardAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "lon", "lat", "area_codes", "source")
    search_fields = ("key", "address")
    list_filter = ("source",)


@admin.register(AddressLoad)
class AddressLoadAdmin(admin.ModelAdmin):
    list_display = ("source", "file_name", "created", "updated", "rejected", "loaded_at")
