from django.contrib import admin

from areas.admin import AreaAdmin

from .models import PATROL_KINDS, PatrolZone


@admin.register(PatrolZone)
class PatrolZoneAdmin(AreaAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind__in=PATROL_KINDS)
