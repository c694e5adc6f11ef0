"""The CSV columns of violations with their HXL hashtags: the violation serializer's fields."""

VIOLATION_CSV_COLUMNS = [
    ("id", "#event+violation+id"),
    ("incident", "#event+id"),
    ("event", "#event+group+id"),
    ("occurred_at", "#date+occurred"),
    ("category", "#event+type"),
    ("place_name", "#loc+name"),
    ("admin1", "#adm1+name"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("location_precision", "#geo+precision"),
    ("perpetrator", "#group+perpetrator+id"),
    ("perpetrator_name", "#group+perpetrator+name"),
    ("killed", "#affected+killed"),
    ("injured", "#affected+injured"),
    ("agreement", "#meta+agreement+id"),
    ("agreement_slug", "#meta+agreement+code"),
    ("clause", "#meta+clause+id"),
    ("clause_number", "#meta+clause+code"),
    ("confidence", "#status+confidence"),
    ("reasons", "#description+reasons"),
    ("status", "#status"),
    ("flagged_at", "#date+flagged"),
    ("reviewed_by", "#contact+name+reviewer"),
    ("reviewed_at", "#date+reviewed"),
    ("review_note", "#description+review"),
]

VIOLATION_CSV_FIELDS = [name for name, _tag in VIOLATION_CSV_COLUMNS]
