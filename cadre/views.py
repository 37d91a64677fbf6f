"""Staff pages of the cadre registry: the unit tree, the cadre list and files, the cadre form,
the Excel export and the notification inbox.

Reads go through `restrict(user, action)`, so an object outside the user's jurisdiction is not
found (404); an object in scope that the user's roles may not change answers 403. Writes go
through `services`, whose validation errors are put back on the form field they concern."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import access, exports, selectors, services
from .forms import CadreForm
from .links import cadre_links
from .models import Cadre, MentoringPair, PostHistory, PostLevel, Rank, Unit
from .pages import add_service_errors, require, unit_options
from .pagination import CappedPaginator

CADRES_PER_PAGE = 50
NOTIFICATIONS_PER_PAGE = 30


def _require(user, action):
    require(access.can(user, action), _("您没有执行此操作的权限"))


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


@login_required
def home(request):
    return redirect("cadre:unit_tree")


# --- units ----------------------------------------------------------------------------------


class _TreeNode:
    __slots__ = ("unit", "direct", "total", "children")

    def __init__(self, unit, direct):
        self.unit, self.direct, self.total, self.children = unit, direct, direct, []


def _cadre_counts_by_unit(user):
    """How many cadres the user may see in each unit (one grouped query)."""
    rows = (
        Cadre.objects.restrict(user)
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return dict(rows)


@login_required
def unit_tree(request):
    units = list(selectors.unit_tree(request.user))
    # Counted through the cadre scope: a unit may hold cadres above what the user manages.
    counts = _cadre_counts_by_unit(request.user)
    nodes, roots = {}, []
    for unit in units:  # in path order: a parent comes before its children
        node = nodes[unit.pk] = _TreeNode(unit, counts.get(unit.pk, 0))
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else roots).append(node)
    for unit in reversed(units):
        node = nodes[unit.pk]
        if unit.parent_id in nodes:
            nodes[unit.parent_id].total += node.total
    # Siblings in their set order, then by unit code (how registers list them).
    for siblings in [roots, *(node.children for node in nodes.values())]:
        siblings.sort(key=lambda node: (node.unit.sort_order, node.unit.code))
    return render(request, "cadre/unit_tree.html", {"roots": roots, "unit_count": len(nodes)})


@login_required
def unit_detail(request, pk):
    visible_units = Unit.objects.restrict(request.user)
    unit = get_object_or_404(visible_units.select_related("parent", "manages_up_to"), pk=pk)
    children = list(visible_units.filter(parent=unit).order_by("sort_order", "code"))
    counts = (
        Cadre.objects.restrict(request.user)
        .filter(unit__path__startswith=unit.path)
        .aggregate(
            total=Count("pk"),
            direct=Count("pk", filter=Q(unit=unit)),
            **{
                f"child_{child.pk}": Count("pk", filter=Q(unit__path__startswith=child.path))
                for child in children
            },
        )
    )
    for child in children:
        child.cadre_total = counts[f"child_{child.pk}"]
    parent_visible = unit.parent_id is not None and visible_units.filter(pk=unit.parent_id).exists()
    return render(
        request,
        "cadre/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "parent_visible": parent_visible,
            "cadre_total": counts["total"],
            "cadre_direct": counts["direct"],
        },
    )


# --- cadre list and export ------------------------------------------------------------------


def _filter_form(filterset, user):
    """The FilterSet's form, with "全部" as the empty choice and the unit filter as a choice
    among the units the user may see."""
    form = filterset.form
    for name in ("post_level", "rank", "tag", "gender", "status"):
        field = form.fields[name]
        field.empty_label = _("全部")
        field.widget.choices = field.choices  # the widget holds its own copy of the choices
    form.unit_options = unit_options(user, filterset.data.get("unit", ""))
    return form


# The columns the list shows: nothing else is read.
LIST_COLUMNS = (
    "id",
    "name",
    "gender",
    "birth_date",
    "post",
    "unit__name",
    "post_level__name",
    "rank__name",
)


def _list_rows(cadres):
    """The rows of the list as plain values: the template then only prints them (resolving
    model attributes and filters in the template costs about half a millisecond a row)."""
    today = timezone.localdate()
    detail = reverse("cadre:cadre_detail", args=[0]).removesuffix("0/")
    genders = dict(Cadre._meta.get_field("gender").flatchoices)
    rows = []
    for cadre in cadres:
        birth = cadre.birth_date
        rows.append(
            {
                "url": f"{detail}{cadre.pk}/",
                "name": cadre.name,
                "gender": genders.get(cadre.gender, ""),
                "birth": f"{birth:%Y.%m}",
                "age": today.year
                - birth.year
                - ((today.month, today.day) < (birth.month, birth.day)),
                "unit": cadre.unit.name,
                "post": cadre.post,
                "post_level": cadre.post_level.name if cadre.post_level_id else "—",
                "rank": cadre.rank.name if cadre.rank_id else "—",
                "tags": cadre.tag_names,
            }
        )
    return rows


@login_required
def cadre_list(request):
    user = request.user
    filterset = selectors.cadre_list(user, data=request.GET)
    cadres = filterset.qs.only(*LIST_COLUMNS).with_tag_names()
    paginator = CappedPaginator(cadres, CADRES_PER_PAGE, count_queryset=filterset.qs)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "cadre/cadre_list.html",
        {
            "filterset": filterset,
            "filter_form": _filter_form(filterset, user),
            "page": page,
            "rows": _list_rows(page.object_list),
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
            "can_add": access.can(user, access.ADD),
            "can_export": access.can(user, access.EXPORT),
            "can_import": access.can(user, access.IMPORT),
        },
    )


@login_required
def cadre_export(request):
    _require(request.user, access.EXPORT)
    filterset = selectors.cadre_list(request.user, data=request.GET)
    return exports.cadre_export_response(filterset.qs, request.user)


# --- cadre file ---------------------------------------------------------------------------


def _cadre_file_queryset(user):
    return (
        Cadre.objects.restrict(user)
        .select_related("unit", "post_level", "rank")
        .prefetch_related(
            "tags",
            Prefetch("post_history", PostHistory.objects.select_related("unit", "post_level")),
            "frontline_assignments",
            "trainings",
            Prefetch("mentees", MentoringPair.objects.select_related("mentee")),
            Prefetch("mentors", MentoringPair.objects.select_related("mentor")),
            "performance_entries",
        )
    )


# Fields of the history rows that say nothing to a reader.
_HISTORY_HIDDEN = {"id", "cadre", "created_at", "updated_at"}
# Sensitive fields: the history says that they changed, never to what.
_HISTORY_SECRET = {"id_number_cipher": gettext_lazy("身份证号"), "id_number_hash": None}
_HISTORY_LABELS = {
    "insert": gettext_lazy("新增"),
    "update": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
}
# The field that names a row of each tracked model, shown with its insert or delete.
_HISTORY_SUBJECT = ("name", "title", "task", "post")
# Foreign keys whose ids the history resolves to names.
_HISTORY_NAMED = {Unit: "name", PostLevel: "name", Rank: "name"}


def _history_model(event):
    """The model of the changed row, when it belongs to the cadre file itself. Other apps'
    records that refer to the cadre (cases, talks …) have their own access rules and pages."""
    if not event.pgh_obj_model:
        return None
    try:
        model = apps.get_model(event.pgh_obj_model)
    except (LookupError, ValueError):
        return None
    return model if model._meta.app_label == Cadre._meta.app_label else None


def _history_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        if name.endswith("_id"):
            return _history_field(model, name[:-3])
        return None


def _history_entries(events):
    """Turn pghistory events into rows a reader understands: who, when, what, and each
    changed field with its verbose name and readable old and new values."""
    pending = []
    wanted = {model: set() for model in _HISTORY_NAMED}
    for event in events:
        model = _history_model(event)
        if model is None:
            continue
        changes = []
        for name, values in (event.pgh_diff or {}).items():
            field = _history_field(model, name)
            if name in _HISTORY_SECRET:
                if _HISTORY_SECRET[name]:
                    changes.append({"label": _HISTORY_SECRET[name], "secret": True})
                continue
            if field is not None and field.name in _HISTORY_HIDDEN:
                continue
            old, new = values if isinstance(values, list | tuple) else (None, values)
            if field is not None and field.is_relation and field.related_model in wanted:
                wanted[field.related_model].update(v for v in (old, new) if v is not None)
            changes.append(
                {
                    "field": field,
                    "label": field.verbose_name if field else name,
                    "old": old,
                    "new": new,
                }
            )
        pending.append((event, model, changes))

    names = {
        model: dict(model.objects.filter(pk__in=ids).values_list("pk", attr))
        for model, attr in _HISTORY_NAMED.items()
        if (ids := wanted[model])
    }

    def readable(field, value):
        if value is None or value == "":
            return "—"
        if field is None:
            return value
        if field.is_relation and field.related_model in names:
            return names[field.related_model].get(value, value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return value

    entries = []
    for event, model, changes in pending:
        for change in changes:
            if not change.get("secret"):
                change["old"] = readable(change["field"], change["old"])
                change["new"] = readable(change["field"], change["new"])
        data = event.pgh_data or {}
        entries.append(
            {
                "when": event.pgh_created_at,
                "subject": next((data[k] for k in _HISTORY_SUBJECT if data.get(k)), ""),
                "actor": event.actor,
                "action": _HISTORY_LABELS.get(event.pgh_label, event.pgh_label),
                "what": model._meta.verbose_name,
                "changes": changes if event.pgh_label == "update" else [],
            }
        )
    return entries


@login_required
def cadre_detail(request, pk):
    user = request.user
    cadre = get_object_or_404(_cadre_file_queryset(user), pk=pk)
    services.cadre_view_log(
        user=user, cadre=cadre, path=request.path, ip_address=_client_ip(request)
    )
    mentor_pairs = list(cadre.mentors.all())
    mentee_pairs = list(cadre.mentees.all())
    # Mentors and mentees are named; only those inside the user's scope are linked.
    linked = set(
        Cadre.objects.restrict(user)
        .filter(pk__in=[p.mentor_id for p in mentor_pairs] + [p.mentee_id for p in mentee_pairs])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "cadre/cadre_detail.html",
        {
            "cadre": cadre,
            "id_number": cadre.id_number_for(user),
            "mentor_pairs": mentor_pairs,
            "mentee_pairs": mentee_pairs,
            "linked_cadres": linked,
            "history": _history_entries(selectors.cadre_history(cadre)),
            "can_change": access.can(user, access.CHANGE),
            "can_delete": access.can(user, access.DELETE),
            "related_pages": cadre_links(user, cadre),
        },
    )


@login_required
def cadre_create(request):
    user = request.user
    _require(user, access.ADD)
    form = CadreForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            cadre = services.cadre_create(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已新增干部“%(name)s”。") % {"name": cadre.name})
            return redirect(cadre)
    return render(request, "cadre/cadre_form.html", {"form": form})


@login_required
def cadre_update(request, pk):
    user = request.user
    cadre = get_object_or_404(Cadre.objects.restrict(user), pk=pk)
    _require(user, access.CHANGE)
    form = CadreForm(request.POST or None, instance=cadre, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.cadre_update(actor=user, cadre=cadre, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存对“%(name)s”的修改。") % {"name": cadre.name})
            return redirect(cadre)
    return render(request, "cadre/cadre_form.html", {"form": form, "cadre": cadre})


@login_required
@require_http_methods(["GET", "POST"])
def cadre_delete(request, pk):
    user = request.user
    cadre = get_object_or_404(Cadre.objects.restrict(user).select_related("unit"), pk=pk)
    _require(user, access.DELETE)
    if request.method == "POST":
        services.cadre_delete(actor=user, cadre=cadre)
        messages.success(request, _("已删除干部“%(name)s”。") % {"name": cadre.name})
        return redirect("cadre:cadre_list")
    return render(request, "cadre/cadre_confirm_delete.html", {"cadre": cadre})


# --- notifications --------------------------------------------------------------------------


@login_required
def notifications(request):
    page = Paginator(request.user.notifications.all(), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "cadre/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request):
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    count = services.notification_mark_read(user=request.user, ids=ids or None)
    if count:
        messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("cadre:notifications")
