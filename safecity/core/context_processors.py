from django.conf import settings


def platform(request):
    """Values every page template needs: the map tile source and the running mode."""
    return {
        "MAP_TILES_URL": settings.MAP_TILES_URL,
        "MAP_TILES_ATTRIBUTION": settings.MAP_TILES_ATTRIBUTION,
        "MAP_TILES_CRS": settings.MAP_TILES_CRS,
        "EMBEDDED_MODE": settings.EMBEDDED,
    }
