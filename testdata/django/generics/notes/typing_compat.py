"""Let DRF's generic views be subscripted (ModelViewSet[Tag]) for type
checkers, as newer DRF releases allow: subscripting gives the class back."""
from rest_framework import generics, mixins, viewsets

for _cls in (
    generics.GenericAPIView,
    viewsets.GenericViewSet,
    viewsets.ModelViewSet,
    viewsets.ReadOnlyModelViewSet,
    mixins.ListModelMixin,
):
    _cls.__class_getitem__ = classmethod(lambda cls, *args, **kwargs: cls)
