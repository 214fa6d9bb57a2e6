from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView


@api_view(["POST"])
def login_view(request):
    return Response({"user": request.data.get("username", ""), "token": "t0k3n"})


@api_view(["GET", "PUT"])
def me(request):
    if request.method == "PUT":
        return Response({"updated": sorted(request.data)})
    return Response({"user": "anonymous"})


@api_view()
def whoami(request):
    return Response({"user": None})


class PasswordView(APIView):
    def post(self, request):
        return Response({"changed": True})
