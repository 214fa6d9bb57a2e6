"""Answer requests with Django's own test client: the reference serve's
answers are compared with. argv[1]: a JSON list of requests {method, path,
query, meta: {HTTP_*: value}, script_name, body_b64, content_type}. Prints
a JSON list of {status, headers: [[name, value]], body_b64}, one Set-Cookie
header per cookie, as a WSGI server would send them.
"""
import base64
import json
import sys

import django

django.setup()

from django.test import Client  # noqa: E402
from django.urls import set_script_prefix  # noqa: E402


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        requests = json.load(f)
    out = []
    for r in requests:
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        extra = dict(r["meta"])
        extra["REMOTE_ADDR"] = "127.0.0.1"
        if r["script_name"]:
            extra["SCRIPT_NAME"] = r["script_name"]
        # WSGIHandler sets the script prefix from SCRIPT_NAME; the test
        # client's handler does not, so do it as a WSGI server would.
        set_script_prefix(r["script_name"] or "/")
        path = r["path"] + ("?" + r["query"] if r["query"] else "")
        resp = client.generic(
            r["method"],
            path,
            data=base64.b64decode(r["body_b64"]),
            content_type=r["content_type"],
            **extra
        )
        headers = [[k, v] for k, v in resp.items()]
        headers += [["Set-Cookie", c.output(header="").strip()] for c in resp.cookies.values()]
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        out.append({"status": resp.status_code, "headers": headers, "body_b64": base64.b64encode(body).decode("ascii")})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
