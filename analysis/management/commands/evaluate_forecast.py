from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analysis.forecast.backtest import FIGURES, METHODS, SHARES, share_label
from analysis.forecast.data import Selection
from analysis.forecast.services import evaluation_store
from areas.models import Area
from stats.registry import get_source


class Command(BaseCommand):
    help = (
        "Rolling-origin backtest of the forecast on the data loaded: from each origin the model "
        "and the naive baselines (last 28 days' and last 365 days' counts per cell) read only "
        "earlier records, and are scored on the horizon after it: PAI, PEI and hit rate at 1% "
        "and 5% of the area, averaged over the origins with their spread. The run is stored; "
        "the latest is what the analysis page and /api/v1/analysis/evaluation show."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", default="incidents", help="metric source (default incidents)"
        )
        parser.add_argument(
            "--system", default="", help="only records of this import source system"
        )
        parser.add_argument(
            "--category", default="all", help="category code (its subtree), or all (default)"
        )
        parser.add_argument("--horizon", type=int, default=28, help="days forecast (default 28)")
        parser.add_argument(
            "--origins", type=int, default=13, help="rolling origins, a horizon apart (13)"
        )
        parser.add_argument("--area", help="area id or code (default: everywhere)")
        parser.add_argument("--resolution", type=int, help="h3 resolution (default: setting)")

    def handle(self, *args, **options):
        try:
            source = get_source(options["source"])
        except LookupError as error:
            raise CommandError(str(error)) from None
        if options["horizon"] < 1 or options["origins"] < 1:
            raise CommandError("--horizon and --origins must be at least 1")
        category, category_path = "", ""
        if options["category"] != "all":
            found = source.category_model.objects.filter(code=options["category"]).first()
            if found is None:
                raise CommandError(f"unknown category code {options['category']!r}")
            category, category_path = found.code, found.path
        area_path = ""
        if options["area"]:
            area = _area(options["area"])
            area_path = area.path
        resolution = options["resolution"] or settings.ANALYSIS_FORECAST_RESOLUTION
        selection = Selection(
            source=source,
            area_path=area_path,
            category_path=category_path,
            system=options["system"],
        )
        try:
            evaluation = evaluation_store(
                selection=selection,
                category=category,
                resolution=resolution,
                horizon_days=options["horizon"],
                origins=options["origins"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self._print(evaluation)

    def _print(self, evaluation) -> None:
        write = self.stdout.write
        results = evaluation.results
        if not results:
            write("no records with a point to evaluate")
            return
        write(
            f"source: {evaluation.source}{' / ' + evaluation.system if evaluation.system else ''}"
        )
        write(f"category: {evaluation.category or 'all'}")
        write(f"area: {evaluation.area_path or 'everywhere'}")
        write(f"resolution: {evaluation.resolution} ({results['cells']} cells in the area)")
        write(f"events: {results['events']}")
        write(f"data last day: {evaluation.data_last_day}")
        write(f"horizon: {evaluation.horizon_days} days, origins: {evaluation.origins}")
        for block in results["origins"]:
            write(f"origin {block['origin']}: {block['events']} events in the test period")
        write("method figure share: mean ± sd [min, max] (n origins)")
        for method in METHODS:
            for share in SHARES:
                label = share_label(share)
                for figure in FIGURES:
                    stats = results["summary"][method][label][figure]
                    write(f"{method} {figure} {label}: {_spread(stats)}")
        top = results["headline"]
        if top.get("baseline") is None:
            write("headline: no baseline to compare with")
            return
        ratio = "undefined" if top["ratio"] is None else f"{top['ratio']:.3f}"
        attainable = top.get("attainable_ratio")
        write(
            f"headline: model PAI at {top['share']} {top['model_pai']:.3f}, better baseline "
            f"({top['baseline']}) {top['baseline_pai']:.3f}, ratio {ratio} (a perfect forecast: "
            f"{'undefined' if attainable is None else f'{attainable:.3f}'})"
        )


def _spread(stats: dict) -> str:
    if not stats["n"]:
        return "none"
    return (
        f"{stats['mean']:.3f} ± {stats['sd']:.3f} [{stats['min']:.3f}, {stats['max']:.3f}] "
        f"({stats['n']})"
    )


def _area(value: str) -> Area:
    area = None
    if value.isdigit():
        area = Area.objects.filter(pk=int(value)).first()
    area = area or Area.objects.filter(code=value).first()
    if area is None:
        raise CommandError(f"no area {value!r}")
    return area
