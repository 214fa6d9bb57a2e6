"""One view per adapter edge case; most answer with what Django saw."""
import base64
import gzip
import json

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@csrf_exempt
def echo(request, rest=""):
    body = request.body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return JsonResponse(
        {
            "method": request.method,
            "path": request.path,
            "path_info": request.path_info,
            "script_name": request.META.get("SCRIPT_NAME"),
            "rest": rest,
            "query_string": request.META.get("QUERY_STRING"),
            "GET": {k: request.GET.getlist(k) for k in sorted(request.GET)},
            "COOKIES": request.COOKIES,
            "HTTP_COOKIE": request.META.get("HTTP_COOKIE"),
            "headers": {k: v for k, v in sorted(request.META.items()) if k.startswith("HTTP_")},
            "CONTENT_TYPE": request.META.get("CONTENT_TYPE"),
            "CONTENT_LENGTH": request.META.get("CONTENT_LENGTH"),
            "scheme": request.scheme,
            "is_secure": request.is_secure(),
            "host": request.get_host(),
            "remote_addr": request.META.get("REMOTE_ADDR"),
            "absolute": request.build_absolute_uri(),
            "reverse": reverse("echo"),
            "body": text,
            "body_b64": base64.b64encode(body).decode("ascii"),
            "principal_id": request.META.get("django_serverless.principal_id"),
            "claims": request.META.get("django_serverless.claims"),
            "authorizer": request.META.get("django_serverless.authorizer"),
        }
    )


def products(request):
    return JsonResponse({"view": "products", "path": request.path})


def unicode_path(request, name):
    return JsonResponse({"name": name, "path": request.path, "path_info": request.path_info})


@csrf_exempt
def upload(request):
    return JsonResponse(
        {
            "fields": {k: request.POST.getlist(k) for k in sorted(request.POST)},
            "files": {
                k: {"name": f.name, "size": f.size, "sha": base64.b64encode(f.read()).decode("ascii")}
                for k, f in sorted(request.FILES.items())
            },
        }
    )


def cookies(request):
    response = HttpResponse("cookies set", content_type="text/plain")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True)
    response.set_cookie("c", "3", path="/x")
    return response


def binary(request):
    return HttpResponse(PNG, content_type="image/png")


def gzipped(request):
    response = HttpResponse(gzip.compress(json.dumps({"zipped": True}).encode(), mtime=0), content_type="application/json")
    response["Content-Encoding"] = "gzip"
    return response


def svg(request):
    return HttpResponse('<svg xmlns="http://www.w3.org/2000/svg"><text>é</text></svg>', content_type="image/svg+xml")


def boom(request):
    raise RuntimeError("view exploded")


def small_json(request):
    return JsonResponse({"ok": True, "items": [1, 2, 3]})


def db(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"one": one})


def item(request, pk):
    return JsonResponse({"pk": pk})


def noisy(request):
    print("application output that must not reach invoke's stdout")
    return JsonResponse({"noisy": True})


@csrf_exempt
def ingest(request):
    """A small JSON API write: the body decoded, a short answer (benchmarks)."""
    data = json.loads(request.body)
    return JsonResponse({"ok": True, "bytes": len(request.body), "items": len(data.get("items", ()))}, status=201)
