from django.views.generic import View

__all__ = ['detail', 'receipt', 'ArchiveView']


def detail(request, slug):
    pass


def receipt(request, number):
    pass


class BaseArchive(View):
    def get(self, request, *a, **k):
        pass


class ArchiveView(BaseArchive):
    http_method_names = ['get', 'delete', 'options']

    def delete(self, request, *a, **k):
        pass

    def post(self, request, *a, **k):
        pass
