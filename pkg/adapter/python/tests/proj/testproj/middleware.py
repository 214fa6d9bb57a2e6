"""A middleware that counts the requests it sees (warm-ups must not)."""

seen = []


def count_requests(get_response):
    def middleware(request):
        seen.append(request.path)
        return get_response(request)

    return middleware
