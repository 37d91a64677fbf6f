"""Django admin of hardship help and the care funds (F 17, ZJK 12(四)): applications, funds
and their ledgers inside the user's jurisdiction, read-only — the ledger is append-only and
every payment goes through `fund_disburse` (row lock, balance check). The organisation
department may close approved applications here, through `application_close`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import hardship
from .admin_leave import ReadOnlyAdmin
from .models import CareFund, FundEntry, HardshipApplication
from .models.common import can_write


@admin.register(HardshipApplication)
class HardshipApplicationAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "category_label", "amount_requested", "status", "amount_granted"]
    list_select_related = ["cadre"]
    list_filter = ["status", "category_code"]
    search_fields = ["cadre__name", "description"]
    actions = ["close_selected"]

    def has_close_permission(self, request):
        return self.has_view_permission(request) and can_write(request.user)

    @admin.action(description=_("办结所选已批准的申请"), permissions=["close"])
    def close_selected(self, request, queryset):
        done = 0
        for application in queryset:
            try:
                hardship.application_close(actor=request.user, application=application)
            except (hardship.TransitionConflict, PermissionDenied, Http404) as error:
                self.message_user(request, f"{application}：{error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, gettext("已办结%(n)s件。") % {"n": done}, messages.SUCCESS)


@admin.register(CareFund)
class CareFundAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "balance"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name"]


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "fund", "kind", "amount", "balance_after", "note"]
    list_select_related = ["fund"]
    list_filter = ["kind"]
    search_fields = ["fund__name", "note"]
