from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def index(request):
    return render(
        request,
        "core/area_index.html",
        {
            "area_title": "关心关爱",
            "area_description": "谈心谈话与“五必谈”、年度谈话覆盖、健康体检、带薪休假、困难帮扶、周转住房与“五小”设施。",
        },
    )
