"""The shared base of every page: the shell (navigation, area and window pickers, live alert
badge, the words and API routes a page's script reads) and the registry pages join it by.

A page lives beside its domain: ``<app>/views.py`` (a ``ShellPage`` registered with
``@page(...)``), a route in ``<app>/urls.py``, its template in ``templates/<app>/`` and its
script in ``static/js/<app>/``. The shell builds the navigation and each role's permission from
the registry; the page's script finds the API routes it names in ``api_routes`` in
``SafeCity.config.routes`` (``SafeCity.route(name, params)``).
"""
