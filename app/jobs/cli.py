import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs (certificate printing, login slips).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool):
    """Run queued jobs from Redis (REDIS_URL); without Redis, jobs run inside the web process."""
    from app.jobs.runners import run_rq_worker

    if not current_app.config.get("JOBS_REDIS_URL"):
        raise click.ClickException("Set REDIS_URL to use a separate worker; without it the web "
                                   "process runs jobs itself.")
    run_rq_worker(current_app._get_current_object(), burst=burst)


@jobs_cli.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True)
def purge_command(days: int):
    """Delete finished jobs (and the files they made) older than DAYS days, and expired login slips."""
    from app.extensions import db
    from app.jobs.services import purge_expired_results, purge_finished_jobs

    expired = purge_expired_results()
    removed = purge_finished_jobs(days)
    db.session.commit()
    click.echo(f"Removed {removed} finished jobs and {expired} expired login-slip files.")
