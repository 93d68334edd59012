from django.shortcuts import render


def home(request):
    return render(request, "pages/home.html")


def accessibility(request):
    return render(request, "pages/accessibility.html")
