from django.urls import include, path
from rest_framework.routers import DefaultRouter

from notes import views

router = DefaultRouter()
router.register("tags", views.TagViewSet)
router.register("read-notes", views.ReadOnlyNoteViewSet)
router.register("new-notes", views.CreateListNoteViewSet, basename="newnote")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/notes/count/", views.NoteCountView.as_view(), name="note-count"),
    path("api/notes/all/", views.NoteList.as_view(), name="note-list-all"),
]
