"""Installing a category tree: adds missing categories and renames changed ones, by code.

It never deletes: a category that leaves the tree is retired by an administrator instead, so
its incidents and statistics stay intact. Written against the model passed in, so migrations
can use it with their historical model.
"""

from .taxonomy_default import DEFAULT_TAXONOMY

FLAGS = ("is_alarm", "is_criminal", "is_non_police")

DEFAULT_DEVICE_EVENT_TYPES = [
    # code, name, name_en, creates incident, category code, priority, min confidence
    ("drowning_person_at_water", "防溺水摄像头发现人员临水", "Person at water (drowning camera)",
     True, "drowning_risk", 1, 0.6),
    ("crowd_gathering", "人员聚集", "Crowd gathering", True, "public_disorder", 2, 0.8),
    ("ebike_in_elevator", "电动车进电梯", "E-bike in lift", True, "ebike_charging", 2, 0.7),
    ("smoke_detected", "烟感报警", "Smoke detected", True, "fire", 1, 0.5),
    ("vehicle_plate_hit", "布控车辆识别", "Watch-listed plate seen", False, None, 2, 0.0),
]  # fmt: skip


def taxonomy_install(category_model, tree=DEFAULT_TAXONOMY) -> int:
    """Create or rename the categories of ``tree``; returns how many were created."""
    created = 0

    def visit(nodes, parent, parent_path):
        nonlocal created
        for order, node in enumerate(nodes):
            path = f"{parent_path}{node['code']}/"
            values = {
                "name": node["name"],
                "name_en": node.get("name_en", ""),
                "parent": parent,
                "path": path,
                "sort_order": order,
                **{flag: bool(node.get(flag)) for flag in FLAGS},
            }
            category, was_created = category_model.objects.update_or_create(
                code=node["code"], defaults=values
            )
            created += was_created
            visit(node.get("children", []), category, path)

    visit(tree, None, "/")
    return created


def device_event_types_install(event_type_model, category_model) -> None:
    for (
        code,
        name,
        name_en,
        creates,
        category_code,
        priority,
        confidence,
    ) in DEFAULT_DEVICE_EVENT_TYPES:
        category = category_model.objects.filter(code=category_code).first()
        event_type_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "creates_incident": creates and category is not None,
                "category": category,
                "priority": priority,
                "min_confidence": confidence,
            },
        )
