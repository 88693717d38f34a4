"""ViewSet shapes the API's resources share: DRF leaves composing its mixins to the project."""

from rest_framework import mixins, viewsets


class CreateListRetrieveViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A resource the API creates, lists and shows one at a time, and never updates or
    deletes (a subclass may add its own actions)."""
