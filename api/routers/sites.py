"""Sites and rooms."""
from ninja import Router

from api.crud import Resource, build_router
from api.schemas.factory import schemas_for
from rooms.models import Room, Site

SITE_FIELDS = ["code", "name", "street", "postcode", "city", "latitude", "longitude", "phone", "feed_privacy",
               "feed_labels", "feed_company_names"]
ROOM_FIELDS = ["site", "name", "capacity", "features", "active"]

site_in, site_patch, site_out = schemas_for(Site, SITE_FIELDS, "Site")
room_in, room_patch, room_out = schemas_for(Room, ROOM_FIELDS, "Room")

SITES = Resource(
    model=Site, path="sites", out=site_out, create_in=site_in, patch_in=site_patch,
    site_lookups=("pk",), admin_only_writes=True, label="centre / sites",
)
ROOMS = Resource(
    model=Room, path="rooms", out=room_out, create_in=room_in, patch_in=room_patch,
    site_lookups=("site",), site_refs={"site": lambda pk: {pk}}, prefetch_related=("features",),
    label="lokaler / rooms",
)

router = Router()
router.add_router("/sites", build_router(SITES, ["Centre / Sites"]))
router.add_router("/rooms", build_router(ROOMS, ["Centre / Sites"]))
