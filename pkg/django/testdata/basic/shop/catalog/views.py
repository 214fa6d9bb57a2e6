from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import DetailView


@require_GET
def product_list(request):
    pass


@require_http_methods(["GET", "POST"])
def files(request, name):
    pass


def buy(request):
    pass


def archive(request, year):
    pass


class ProductDetail(DetailView):
    def post(self, request, *args, **kwargs):
        pass
