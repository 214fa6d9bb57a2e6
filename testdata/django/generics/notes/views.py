from typing import Any

from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import typing_compat  # noqa: F401  (subscriptable generics)
from .models import Note, Tag


class TagViewSet(viewsets.ModelViewSet[Tag]):
    queryset = Tag.objects.all()


class ReadOnlyNoteViewSet(viewsets.ReadOnlyModelViewSet[Note]):
    queryset = Note.objects.all()

    @action(detail=True)
    def history(self, request, pk=None):
        return Response([])


class CreateListNoteViewSet(mixins.CreateModelMixin, mixins.ListModelMixin[Note], viewsets.GenericViewSet[Note]):
    queryset = Note.objects.all()


class NoteCountView(generics.GenericAPIView[Any]):
    def get(self, request):
        return Response({"count": 0})


class NoteList(generics.ListCreateAPIView):
    queryset = Note.objects.all()
