from django.http import Http404, JsonResponse
from django.views import View
from django.views.decorators.http import require_http_methods

from .data import QUESTIONS


def _question(question_id):
    try:
        return QUESTIONS[question_id]
    except KeyError:
        raise Http404("no question %d" % question_id)


class IndexView(View):
    def get(self, request):
        latest = sorted(QUESTIONS, reverse=True)
        return JsonResponse({"latest": [{"id": i, "text": QUESTIONS[i]["text"]} for i in latest]})


@require_http_methods(["GET"])
def detail(request, question_id):
    q = _question(question_id)
    return JsonResponse({"id": question_id, "text": q["text"], "choices": sorted(q["choices"])})


class ResultsView(View):
    def get(self, request, pk):
        q = _question(pk)
        return JsonResponse({"id": pk, "results": q["choices"]})


@require_http_methods(["POST"])
def vote(request, question_id):
    q = _question(question_id)
    choice = request.POST.get("choice")
    if choice not in q["choices"]:
        return JsonResponse({"error": "unknown choice"}, status=400)
    return JsonResponse({"id": question_id, "voted": choice, "votes": q["choices"][choice] + 1})
