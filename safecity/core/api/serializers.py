from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """DRF's error body for everything but invalid input."""

    detail = serializers.CharField()
