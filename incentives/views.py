from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def index(request):
    return render(
        request,
        "core/area_index.html",
        {
            "area_title": "激励选任",
            "area_description": "优先提拔使用、破格提拔、职级晋升、能上能下、受处理处分干部台账、表彰奖励。",
        },
    )
