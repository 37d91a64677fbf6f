from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def index(request):
    return render(
        request,
        "core/area_index.html",
        {
            "area_title": "容错纠错",
            "area_description": "问责与容错申请、三个区分开来、容错情形与排除情形清单、容错认定流程、澄清正名。",
        },
    )
