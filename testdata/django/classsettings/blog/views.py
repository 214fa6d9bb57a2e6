from django.views.generic import DetailView, ListView


class PostList(ListView):
    template_name = "blog/list.html"

    def get_queryset(self):
        return []


class PostDetail(DetailView):
    template_name = "blog/detail.html"
