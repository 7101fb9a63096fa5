"""When incidents happen: the hour × weekday pattern of the period."""

from stats.selectors import hour_weekday_matrix

from .base import BriefingContext, section, table

WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def build(ctx: BriefingContext) -> dict:
    answer = hour_weekday_matrix(subject=ctx.subject(), period=ctx.when.period)
    matrix = answer["matrix"]
    by_weekday = [sum(row) for row in matrix]
    by_hour = [sum(row[hour] for row in matrix) for hour in range(24)]
    total = sum(by_weekday)
    if not total:
        sentence = ("本期没有警情。", "No incidents in the period.")
    else:
        peak = max(
            ((day, hour) for day in range(7) for hour in range(24)),
            key=lambda cell: matrix[cell[0]][cell[1]],
        )
        busiest_day = max(range(7), key=lambda day: by_weekday[day])
        busiest_hour = max(range(24), key=lambda hour: by_hour[hour])
        peak_count = matrix[peak[0]][peak[1]]
        sentence = (
            f"警情最集中在{WEEKDAYS[peak[0]]} {peak[1]} 时（{peak_count} 起）；"
            f"一周中{WEEKDAYS[busiest_day]}最多（{by_weekday[busiest_day]} 起），"
            f"一天中 {busiest_hour} 时最多（{by_hour[busiest_hour]} 起）。",
            f"Incidents peaked on {WEEKDAYS_EN[peak[0]]} at hour {peak[1]} ({peak_count}); "
            f"the busiest weekday was {WEEKDAYS_EN[busiest_day]} ({by_weekday[busiest_day]}), "
            f"the busiest hour {busiest_hour} ({by_hour[busiest_hour]}).",
        )
    columns = [(day, day_en) for day, day_en in zip(WEEKDAYS, WEEKDAYS_EN, strict=True)]
    return section(
        "pattern",
        ("时段分布", "Hour × weekday"),
        sentence,
        table=table(columns, [[str(n) for n in by_weekday]]),
        chart={"type": "heatmap", "matrix": matrix, "rows": WEEKDAYS, "rows_en": WEEKDAYS_EN},
        figures={"matrix": matrix},
    )
