from django.http import JsonResponse
from django.views import View
from django.views.decorators.http import require_GET


@require_GET
def order_history(request):
    return JsonResponse({"orders": ["00000000-0000-0000-0000-000000000001"]})


class OrderDetailView(View):
    def get(self, request, order_id):
        return JsonResponse({"order": str(order_id), "status": "placed"})

    def delete(self, request, order_id):
        return JsonResponse({"order": str(order_id), "status": "cancelled"})
