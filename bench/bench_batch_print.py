"""Batch printing: 409 certificates as one PDF, Hocso's way against the naive way, in one run.

- batch: `app.certificates.batch.print_pdf`: a cover list, then chunks of 50 certificates per
  WeasyPrint document, each rendered in a bounded child by `render_pdf` with the shared font
  configuration, joined with pypdf.
  The joined file is then signed as a whole (PAdES, with a throwaway self-signed key), as
  production does with CERTIFICATE_SIGN_PRINT_BATCH; the signing time is printed on its own.
- naive: one WeasyPrint document per certificate with the default font configuration (a new one
  per call), in-process, then joined with pypdf.

Each variant runs in a fresh Python process so that its peak memory is its own. Prints wall time,
pages per second, peak RSS (the process itself, and its largest child) and the file size; asserts
nothing. Run from the repository root:

    .venv/bin/python -m bench.bench_batch_print [--certificates 409] [--chunk 50]
"""

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date

import sqlalchemy as sa

from bench.bench_funnel import COURSE_SLUG, GIVEN, MIDDLE, SURNAMES, fresh_schema, make_app

PROVINCE = "LC"


def populate(count: int, communes: int = 12, seed: int = 409) -> None:
    """`count` valid certificates of learners spread over the communes of one province."""
    from app.accounts.models import User
    from app.accounts.services import hash_password, vietnamese_sort_key
    from app.certificates.codes import generate_code
    from app.certificates.models import Certificate
    from app.content.models import Course
    from app.extensions import db
    from app.progress.models import CourseCompletion
    from app.units.models import Unit

    rng = random.Random(seed)
    province = Unit(code=PROVINCE, name="Tỉnh Lào Cai", level="province")
    db.session.add(province)
    db.session.flush()
    units = [Unit(code=f"LC-{c:02d}", name=f"Xã {name}", level="commune", parent_id=province.id)
             for c, name in enumerate(["Tả Van", "Bản Hồ", "Tả Phìn", "Bắc Hà", "Mường Khương", "Sa Pả",
                                       "Ý Tý", "Trịnh Tường", "Bát Xát", "Phong Hải", "Cốc San",
                                       "Mường Hum"][:communes])]
    db.session.add_all(units)
    db.session.flush()
    course = db.session.scalar(sa.select(Course).filter_by(slug=COURSE_SLUG))
    password_hash = hash_password("Mat-khau-bench-2025")
    for n in range(count):
        unit = rng.choice(units)
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        user = User(username=f"hv{n:04d}", full_name=name, name_sort_key=vietnamese_sort_key(name),
                    password_hash=password_hash, role="learner", unit_id=unit.id)
        db.session.add(user)
        db.session.flush()
        score = rng.randint(70, 100)
        completion = CourseCompletion(user_id=user.id, course_id=course.id, score=score)
        db.session.add(completion)
        db.session.flush()
        db.session.add(Certificate(
            code=generate_code(), user_id=user.id, course_id=course.id, completion_id=completion.id,
            full_name=name, unit_name=f"{unit.name}, Tỉnh Lào Cai", course_title=course.title,
            completed_on=date(2025, 9, 1), score=score, issuer="Sở Khoa học và Công nghệ tỉnh Lào Cai",
            signer_name="Nguyễn Văn An", signer_title="Giám đốc", pdf_sha256="0" * 64,
            pdf=b"%PDF-1.7 bench placeholder"))
    db.session.commit()


def run_variant(variant: str, database_url: str, chunk: int) -> dict:
    """Runs in its own process: render every certificate one way, measure, return the figures.

    CPU seconds cover the whole process (start-up and the database read included) and its
    render children; wall time covers the rendering only."""
    from app.certificates import batch

    app = make_app(database_url)
    signing_seconds = []
    with tempfile.TemporaryDirectory(prefix="hocso-bench-key-") as folder:
        if variant == "batch":
            use_throwaway_signing_key(app, folder, signing_seconds)
        with app.app_context(), app.test_request_context():
            print_set = batch.select_for_print(batch.PrintSelection(COURSE_SLUG, PROVINCE))
            started = time.perf_counter()
            if variant == "batch":
                pdf = batch.print_pdf(print_set, chunk_size=chunk)
            else:
                pdf = naive_pdf(print_set)
            seconds = time.perf_counter() - started
    # Peaks first: counting the pages below reads the whole file, which the print itself never does.
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return {
        "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in usage),
        "variant": variant, "certificates": len(print_set.items), "pages": page_count(pdf),
        "seconds": seconds, "peak_self_mib": usage[0].ru_maxrss / 1024,
        "peak_child_mib": usage[1].ru_maxrss / 1024,
        "bytes": len(pdf), "signing_seconds": sum(signing_seconds) if signing_seconds else None,
    }


def page_count(pdf: bytes) -> int:
    """The page count from the page tree's root, without building every page (pypdf's `pages`)."""
    from app.certificates.pdf_joining import page_count as count

    return count(io.BytesIO(pdf))


def use_throwaway_signing_key(app, folder: str, seconds: list[float]) -> None:
    """Sign the batch with a self-signed key made for this run, timing each signature."""
    from pathlib import Path

    from app.certificates import batch, signing
    from app.certificates.signing_keys import write_pem_pair

    key, cert = write_pem_pair(Path(folder), "Hocso benchmark", "Hocso")
    app.config.update(CERTIFICATE_SIGNING_KEY=str(key), CERTIFICATE_SIGNING_CERT=str(cert),
                      CERTIFICATE_SIGN_PRINT_BATCH=True)
    signing.init_app(app)
    sign = signing.sign_pdf_stream

    def timed(source, output, identity, reason):
        started = time.perf_counter()
        try:
            return sign(source, output, identity, reason)
        finally:
            seconds.append(time.perf_counter() - started)

    batch.signing.sign_pdf_stream = timed  # this child process only


def naive_pdf(print_set) -> bytes:
    """What a first attempt looks like: WeasyPrint straight from the app, one document each."""
    from weasyprint import HTML  # the benchmark's baseline only; the app renders via render_pdf

    from app.certificates.certificate_document import certificate_html
    from app.certificates.pdf_joining import join_pdfs
    from app.certificates.pdf_rendering import ASSETS_URL

    parts = [HTML(string=certificate_html(item.facts), base_url=ASSETS_URL).write_pdf()
             for item in print_set.items]
    return join_pdfs(parts, title="naive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=409)
    parser.add_argument("--chunk", type=int, default=50, help="certificates per render_pdf call")
    parser.add_argument("--variants", default="batch,naive",
                        help="which to run; at 10,000 certificates the naive way takes twenty minutes")
    parser.add_argument("--child", choices=["batch", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_variant(args.child, args.database, args.chunk)))
        return 0
    with tempfile.TemporaryDirectory(prefix="hocso-bench-print-") as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        app = make_app(url)
        with app.app_context():
            fresh_schema(app)
            populate(args.certificates)
        results = []
        for variant in args.variants.split(","):
            done = subprocess.run(
                [sys.executable, "-m", "bench.bench_batch_print", "--child", variant, "--database", url,
                 "--chunk", str(args.chunk)], capture_output=True, text=True, check=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"\n== Batch print: {args.certificates} certificates as one PDF (chunks of {args.chunk}) ==")
    print(f"{'variant':<8} {'pages':>6} {'wall s':>8} {'pages/s':>8} {'CPU s':>7} {'peak self MiB':>14} "
          f"{'peak child MiB':>15} {'size MiB':>9}")
    for r in results:
        print(f"{r['variant']:<8} {r['pages']:>6} {r['seconds']:>8.1f} {r['pages'] / r['seconds']:>8.1f} "
              f"{r['cpu_seconds']:>7.1f} {r['peak_self_mib']:>14.0f} {r['peak_child_mib']:>15.0f} "
              f"{r['bytes'] / 2**20:>9.2f}")
    batch_r = results[0]
    print(f"signing the batch PDF (PAdES, in the batch wall time): {batch_r['signing_seconds']:.2f} s; "
          f"batch without signing {batch_r['seconds'] - batch_r['signing_seconds']:.1f} s")
    if len(results) == 2:
        naive_r = results[1]
        print(f"batch is {naive_r['seconds'] / batch_r['seconds']:.1f}× faster; "
              f"file {naive_r['bytes'] / batch_r['bytes']:.1f}× smaller")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
