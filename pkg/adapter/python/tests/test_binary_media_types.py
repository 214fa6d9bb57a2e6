"""REST APIs are rendered with binary media types */* (API Gateway's advice
when clients' Accept headers cannot be controlled, as with browsers).

What that means for the runtime, per API Gateway's documented proxy
behaviour: every request body (any Content-Type) arrives base64-encoded
with isBase64Encoded true; a response is converted from base64 to bytes
only when the function marks it isBase64Encoded (and the Accept header
matches a binary type, which */* always does), otherwise its body is sent
as the text it is. So text responses must come back as text and binary
ones as base64: images, PDFs and gzip bodies reach the client as bytes, and
HTML and JSON are never turned into base64 text.
"""
import base64
import gzip
import json
import unittest

import support  # noqa: F401  (paths and settings)
from support import body_json, configure, invoke, rest


def b64(data):
    return base64.b64encode(data).decode("ascii")


class RequestBodies(unittest.TestCase):
    def setUp(self):
        configure(script_name="/dev")

    def tearDown(self):
        configure()  # the other modules expect the default configuration

    def post(self, ctype, raw):
        e = rest("/echo/", method="POST", stage="dev", body=b64(raw), isBase64Encoded=True)
        e["headers"]["Content-Type"] = ctype
        e["multiValueHeaders"]["Content-Type"] = [ctype]
        return body_json(invoke(e))

    def test_form_body_arrives_base64_and_django_reads_it(self):
        got = self.post("application/x-www-form-urlencoded", "q=caf%C3%A9&n=1".encode())
        self.assertEqual(got["body"], "q=caf%C3%A9&n=1")
        self.assertEqual(got["CONTENT_LENGTH"], str(len("q=caf%C3%A9&n=1")))

    def test_json_body_arrives_base64(self):
        raw = json.dumps({"name": "çà", "n": [1, 2]}).encode("utf-8")
        got = self.post("application/json; charset=utf-8", raw)
        self.assertEqual(json.loads(got["body"]), {"name": "çà", "n": [1, 2]})

    def test_binary_body_arrives_base64(self):
        raw = bytes(range(256)) * 4
        got = self.post("application/octet-stream", raw)
        self.assertEqual(base64.b64decode(got["body_b64"]), raw)


class Responses(unittest.TestCase):
    def setUp(self):
        configure(script_name="/dev")

    def tearDown(self):
        configure()

    def get(self, path, accept="text/html,application/xhtml+xml,*/*;q=0.8"):
        e = rest(path, stage="dev")
        e["headers"]["Accept"] = accept
        e["multiValueHeaders"]["Accept"] = [accept]
        return invoke(e)

    def test_text_stays_text(self):
        for path in ("/json/", "/svg/", "/echo/"):
            resp = self.get(path)
            self.assertFalse(resp["isBase64Encoded"], path)
            self.assertNotEqual(resp["body"][:1], "", path)
        self.assertEqual(json.loads(self.get("/json/")["body"]), json.loads(invoke(rest("/json/", stage="dev"))["body"]))

    def test_binary_and_compressed_bodies_are_base64(self):
        png = self.get("/binary/", accept="image/avif,image/webp,*/*")
        self.assertTrue(png["isBase64Encoded"])
        self.assertEqual(base64.b64decode(png["body"])[:8], b"\x89PNG\r\n\x1a\n")
        gz = self.get("/gzip/")
        self.assertTrue(gz["isBase64Encoded"])
        self.assertEqual(json.loads(gzip.decompress(base64.b64decode(gz["body"]))), {"zipped": True})


if __name__ == "__main__":
    unittest.main()
