"""Travel time estimates between places from coordinates, at a stated speed."""
import math

from django.conf import settings


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    radius_km = 6371.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * radius_km * math.asin(math.sqrt(a))


def estimate_minutes(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Road minutes from air distance, rounded up to the configured step (never 0 between two places)."""
    road_km = distance_km(lat1, lon1, lat2, lon2) * settings.TRAVEL_DETOUR_FACTOR
    minutes = road_km / settings.TRAVEL_SPEED_KMH * 60
    step = settings.TRAVEL_ROUND_TO_MINUTES
    return max(step, math.ceil(minutes / step) * step)
