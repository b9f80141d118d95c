import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs (certificate printing).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool):
    """Run queued jobs from Redis (REDIS_URL); without Redis, jobs run inside the web process."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = current_app.config.get("JOBS_REDIS_URL")
    if not url:
        raise click.ClickException("Set REDIS_URL to use a separate worker; without it the web "
                                   "process runs jobs itself.")
    connection = Redis.from_url(url)
    queue = Queue(current_app.config["JOBS_QUEUE_NAME"], connection=connection)
    # SimpleWorker runs each job in this process, inside this app context (no fork per job).
    SimpleWorker([queue], connection=connection).work(burst=burst, with_scheduler=False)


@jobs_cli.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True)
def purge_command(days: int):
    """Delete finished jobs (and the files they made) older than DAYS days."""
    from app.extensions import db
    from app.jobs.services import purge_finished_jobs

    removed = purge_finished_jobs(days)
    db.session.commit()
    click.echo(f"Removed {removed} finished jobs.")
