from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    from .services import run_import_job

    run_import_job(job_id)
