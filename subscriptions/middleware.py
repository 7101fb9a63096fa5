"""The site root opens the user's home view: ``GET /`` with no query string (the brand link,
the landing after login) redirects to the saved view the user chose, while they may still
open it. The overview with any selection (the navigation's 总览 link) is left alone."""

from django.shortcuts import redirect

from .selectors import home_view_for


class HomeViewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or request.path_info != "/" or request.GET:
            return None
        if not request.user.is_authenticated:
            return None
        view = home_view_for(request.user)
        if view is None:
            return None
        target = view.get_absolute_url()
        if target == request.get_full_path():
            return None
        return redirect(target)
