from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def index(request):
    return render(
        request,
        "core/area_index.html",
        {
            "area_title": "考核评价",
            "area_description": "年度考核与优秀等次比例、平时考核、考核积分、360度评价、综合排名与考核结果运用。",
        },
    )
