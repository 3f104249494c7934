from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rooms.models import ClosedDay, OpeningHours, Room, RoomFeature, Site, TravelTimeOverride


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ["name", "capacity", "active"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city", "feed_privacy"]
    search_fields = ["name", "code", "city"]
    fieldsets = [
        (None, {"fields": ["code", "name", "phone", "feed_privacy", "feed_labels", "feed_company_names"]}),
        (_("Adresse"), {"fields": ["street", "postcode", "city", "latitude", "longitude"]}),
        (
            _("Frokost for konsulenter med dette center som hjemsted"),
            {"fields": ["lunch_earliest", "lunch_latest", "lunch_minutes"]},
        ),
    ]
    inlines = [OpeningHoursInline, RoomInline]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["site", "weekday", "opens", "closes"]
    list_filter = ["site"]


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "site", "reason"]
    list_filter = ["site"]


@admin.register(RoomFeature)
class RoomFeatureAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "capacity", "active"]
    list_filter = ["site", "features"]
    filter_horizontal = ["features"]


@admin.register(TravelTimeOverride)
class TravelTimeOverrideAdmin(admin.ModelAdmin):
    list_display = ["origin", "destination", "minutes", "note"]
