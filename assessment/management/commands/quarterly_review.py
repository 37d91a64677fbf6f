"""Run the quarterly review of any quarter now (the beat job runs the last complete quarter)."""

from django.core.management.base import BaseCommand, CommandError

from assessment.quarterly import last_complete_quarter, quarterly_review_run


class Command(BaseCommand):
    help = "Run the quarterly review (季度总评) of a quarter; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    def handle(self, *args, year=None, quarter=None, **options):
        if (year is None) != (quarter is None):
            raise CommandError("give both --year and --quarter, or neither")
        if year is None:
            year, quarter = last_complete_quarter()
        run = quarterly_review_run(year, quarter)
        for step, values in run.counts.items():
            self.stdout.write(f"{step}: {values['rows']} rows in {values['seconds']} s")
        self.stdout.write(f"{year}Q{quarter}: {run.get_status_display()}")
