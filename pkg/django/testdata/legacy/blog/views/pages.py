from django.views.decorators.http import require_safe


@require_safe
def index(request):
    pass


def search(request):
    pass


def robots(request):
    pass


def files(request, path):
    pass
