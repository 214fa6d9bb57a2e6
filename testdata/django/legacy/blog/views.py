from django.http import Http404, JsonResponse
from django.views.generic import View

POSTS = {
    'hello-world': {'title': 'Hello, world', 'year': 2009, 'month': 4, 'tags': ['news']},
    'moving-on': {'title': 'Moving on', 'year': 2012, 'month': 11, 'tags': ['news', 'meta']},
}


def post_list(request):
    return JsonResponse({'posts': sorted(POSTS)})


def post_detail(request, slug):
    if slug not in POSTS:
        raise Http404(slug)
    return JsonResponse(dict(POSTS[slug], slug=slug))


def archive_month(request, year, month):
    found = [s for s, p in sorted(POSTS.items()) if p['year'] == int(year) and p['month'] == int(month)]
    return JsonResponse({'year': int(year), 'month': int(month), 'posts': found})


class ArchiveYearView(View):
    def get(self, request, year):
        return JsonResponse({'year': int(year), 'posts': [s for s, p in sorted(POSTS.items()) if p['year'] == int(year)]})


def tag_index(request, tag):
    return JsonResponse({'tag': tag, 'posts': [s for s, p in sorted(POSTS.items()) if tag in p['tags']]})


def tag_page(request, tag, page):
    return JsonResponse({'tag': tag, 'page': int(page)})
