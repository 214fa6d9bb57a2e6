from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import View

TICKETS = {1: 'Printer on fire', 2: 'Cannot log in'}


class TicketListView(View):
    def get(self, request):
        return JsonResponse({'tickets': sorted(TICKETS)})

    def post(self, request):
        return JsonResponse({'created': 3}, status=201)


@login_required
@require_http_methods(['GET', 'PATCH'])
def ticket_detail(request, ticket_id):
    return JsonResponse({'id': int(ticket_id), 'title': TICKETS.get(int(ticket_id), '')})


def ticket_by_code(request, code):
    return JsonResponse({'code': 'T-%s' % code})


@require_GET
def ticket_json(request, ticket_id):
    return JsonResponse({'id': int(ticket_id)})


def download(request, path):
    return HttpResponse('file %s' % path, content_type='text/plain')


def status(request):
    return JsonResponse({'open': len(TICKETS)})
