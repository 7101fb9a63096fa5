"""Column names other systems give each incident field, in Chinese and English, as data: a
mapping proposal matches a file's header against them (``imports.proposal``). Names are
compared after normalising (lower case, no spaces, underscores or punctuation)."""

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "source_ref": (
        "案件编号", "警情编号", "接警编号", "事件编号", "编号", "单号", "id", "record_id",
        "incident_id", "case_number", "case_no", "report_number", "reference", "ref",
    ),
    "reported_at": (
        "报警时间", "接警时间", "受理时间", "报案时间", "时间", "reported", "reported_at",
        "date_reported", "report_date", "call_time", "received_at", "datetime", "date",
    ),
    "occurred_at": (
        "发案时间", "案发时间", "发生时间", "occurred", "occurred_at", "date_occurred",
        "offense_date", "incident_date",
    ),
    "dispatched_at": ("派警时间", "出警时间", "调派时间", "dispatched", "dispatched_at"),
    "on_scene_at": (
        "到达时间", "到场时间", "到达现场时间", "on_scene", "on_scene_at", "arrived_at",
    ),
    "closed_at": ("结束时间", "办结时间", "处警结束时间", "closed", "closed_at", "cleared_at"),
    "filed_at": ("立案时间", "filed", "filed_at"),
    "solved_at": ("破案时间", "solved", "solved_at"),
    "address": (
        "案发地址", "发案地址", "事发地址", "地址", "地点", "address", "location",
        "block_address", "street_address",
    ),
    "category": (
        "警情类别", "警情类型", "案件类别", "案由", "类别", "类型", "offense", "category",
        "offense_type", "crime_type", "incident_type", "call_type", "type",
    ),
    "lon": ("经度", "lon", "lng", "long", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "priority": ("优先级", "紧急程度", "级别", "priority"),
    "source": ("报警方式", "来源", "警情来源", "source", "call_source"),
    "arrested": ("抓获人数", "抓获", "arrested", "arrest", "arrests"),
    "money_involved": ("涉案金额", "money_involved", "amount"),
    "loss": ("损失金额", "损失", "loss"),
    "recovered": ("挽回损失", "挽回金额", "recovered"),
    "summary": ("简要案情", "警情摘要", "内容", "summary", "description", "narrative"),
    "transfer_agency": ("移交单位", "transfer_agency"),
    "transferred_at": ("移交时间", "transferred_at"),
    "transfer_outcome": ("移交结果", "transfer_outcome"),
}  # fmt: skip
