"""One view per request shape; most answer with what Django saw."""
import base64
import gzip
import hashlib
import json
import os
import time
from urllib.parse import parse_qsl

from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

COUNT = [0]


def seen(request, **extra):
    body = request.body
    out = {
        "method": request.method,
        "path": request.path,
        "path_info": request.path_info,
        "script_name": request.META.get("SCRIPT_NAME"),
        # The query string is compared as pairs: a REST API hands the
        # function parsed parameters, not the string the client sent.
        "query_pairs": sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)),
        "absolute": request.build_absolute_uri(request.path),
        "host": request.get_host(),
        "is_secure": request.is_secure(),
        "GET": {k: request.GET.getlist(k) for k in sorted(request.GET)},
        "COOKIES": request.COOKIES,
        "content_type": request.content_type,
        "body_len": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "x_multi": request.META.get("HTTP_X_MULTI"),
        "accept": request.META.get("HTTP_ACCEPT"),
        "reverse": reverse("echo"),
    }
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        out["POST"] = {k: request.POST.getlist(k) for k in sorted(request.POST)}
        out["FILES"] = {
            k: {"name": f.name, "size": f.size, "sha256": hashlib.sha256(f.read()).hexdigest()}
            for k, f in sorted(request.FILES.items())
        }
    out.update(extra)
    return out


@csrf_exempt
def echo(request, rest=""):
    return JsonResponse(seen(request, rest=rest))


def csrf_protected(request):
    return HttpResponse("passed the CSRF check", content_type="text/plain")


def cookies(request):
    response = HttpResponse("cookies set", content_type="text/plain; charset=utf-8")
    response.set_cookie("a", "1")
    response.set_cookie("b", "two words", httponly=True)
    response.set_cookie("c", "3", path="/x", samesite="Lax")
    response.delete_cookie("gone")
    return response


def binary(request):
    return HttpResponse(PNG, content_type="image/png")


def gzipped(request):
    response = HttpResponse(gzip.compress(json.dumps({"zipped": True}).encode(), mtime=0), content_type="application/json")
    response["Content-Encoding"] = "gzip"
    return response


def redirect_temporary(request):
    return HttpResponseRedirect(reverse("echo") + "?from=redirect&x=1&x=2")


def redirect_permanent(request):
    return HttpResponsePermanentRedirect(reverse("cookies"))


@csrf_exempt
@require_GET
def only_get(request):
    return HttpResponse("only GET", content_type="text/plain")


@method_decorator(csrf_exempt, name="dispatch")
class Thing(View):
    def get(self, request):
        return JsonResponse({"thing": "got"})

    def post(self, request):
        return JsonResponse({"thing": "posted", "len": len(request.body)})


@csrf_exempt
def upload(request):
    return JsonResponse(seen(request))


def unicode_path(request, name):
    return JsonResponse({"name": name, "path": request.path, "path_info": request.path_info})


def error(request):
    raise RuntimeError("a view that fails: Django answers 500")


def slow(request):
    time.sleep(float(request.GET.get("s", "5")))
    return JsonResponse({"slept": True})


def hog(request):
    keep = []
    for _ in range(int(request.GET.get("mb", "400"))):
        keep.append(bytearray(1024 * 1024))
        time.sleep(0.002)
    return JsonResponse({"kept": len(keep)})


def count(request):
    from demo import counter  # imported by this function's workers only

    COUNT[0] += 1
    return JsonResponse({"count": COUNT[0], "pid": os.getpid(), "step": counter.STEP})


def pid(request):
    return JsonResponse({"pid": os.getpid()})


def stream_fails(request):
    def chunks():
        yield b"first chunk\n"
        raise RuntimeError("the stream broke after the headers")

    return StreamingHttpResponse(chunks(), content_type="text/plain")
