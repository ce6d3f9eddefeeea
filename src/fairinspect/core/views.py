from django.shortcuts import render

from .roles import roles_of


def home(request):
    return render(request, "core/home.html", {"roles": sorted(roles_of(request.user))})
