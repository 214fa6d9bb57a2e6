from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from django.views.generic import View


@require_safe
def receipt(request, number):
    if request.path.endswith('.pdf'):
        return HttpResponse(b'%PDF-1.4 receipt ' + number.encode(), content_type='application/pdf')
    return JsonResponse({'receipt': int(number)})


class InvoiceView(View):
    def get(self, request, year, number):
        return JsonResponse({'year': int(year), 'number': int(number)})

    def put(self, request, year, number):
        return JsonResponse({'year': int(year), 'number': int(number), 'updated': True})


def invoice_list(request):
    return JsonResponse({'invoices': []})
