def page(request, title):
    pass
