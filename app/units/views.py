"""Admin pages for the unit tree: list, create, rename, move, merge. Nothing is ever deleted."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts.models import Role
from app.extensions import db
from app.security.access import roles_required
from app.units import services
from app.units.choices import ChoiceError, find_unit_code, unit_choices
from app.units.forms import LEVEL_LABELS, MergeForm, MoveForm, RenameForm, UnitForm
from app.units.models import Unit

bp = Blueprint("units", __name__, url_prefix="/admin/units", template_folder="templates")


@bp.route("/")
@roles_required(Role.ADMIN)
def tree():
    with_history = request.args.get("history") == "1"
    return render_template("units/tree.html", roots=services.unit_tree(with_history),
                           with_history=with_history, levels=LEVEL_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create():
    form = UnitForm()
    if form.validate_on_submit():
        try:
            parent = _unit_by_code(form.parent_code.data)
            unit = services.create_unit(form.code.data, form.name.data, form.level.data, parent,
                                        form.valid_from.data)
        except services.UnitError as problem:
            form.code.errors.append(_(problem.message, **problem.params))
        else:
            db.session.commit()
            flash(_("Unit %(name)s created.", name=unit.name), "success")
            return redirect(url_for("units.detail", unit_id=unit.id))
    return render_template("units/new.html", form=form, unit_choices=unit_choices())


@bp.route("/<int:unit_id>")
@roles_required(Role.ADMIN)
def detail(unit_id: int):
    unit = _unit_or_404(unit_id)
    return _detail_page(unit, RenameForm(name=unit.name), MoveForm(), MergeForm())


@bp.route("/<int:unit_id>/rename", methods=["POST"])
@roles_required(Role.ADMIN)
def rename(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = RenameForm()
    return _apply(unit, form, form.name, lambda: services.rename_unit(unit, form.name.data),
                  _("Unit renamed."), rename_form=form)


@bp.route("/<int:unit_id>/move", methods=["POST"])
@roles_required(Role.ADMIN)
def move(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = MoveForm()
    return _apply(unit, form, form.parent_code,
                  lambda: services.move_unit(unit, _unit_by_code(form.parent_code.data)),
                  _("Unit moved."), move_form=form)


@bp.route("/<int:unit_id>/merge", methods=["POST"])
@roles_required(Role.ADMIN)
def merge(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = MergeForm()
    return _apply(
        unit, form, form.into_code,
        lambda: services.merge_unit(unit, _unit_by_code(form.into_code.data), form.effective.data),
        _("Unit merged. Its learners stay attached to it and are counted under its successor."),
        merge_form=form,
    )


def _apply(unit: Unit, form, error_field, change, done: str, **forms):
    """Validate, change, commit and go back to the unit; or show the errors on its page."""
    if form.validate_on_submit():
        try:
            change()
        except services.UnitError as problem:
            db.session.rollback()
            error_field.errors.append(_(problem.message, **problem.params))
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("units.detail", unit_id=unit.id))
    pages = {"rename_form": RenameForm(formdata=None, name=unit.name),
             "move_form": MoveForm(formdata=None), "merge_form": MergeForm(formdata=None), **forms}
    return _detail_page(unit, pages["rename_form"], pages["move_form"], pages["merge_form"], status=400)


def _detail_page(unit: Unit, rename_form, move_form, merge_form, status: int = 200):
    graph, day = services.history(), services.today()
    chain = [db.session.get(Unit, uid) for uid in graph.chain(unit.id, day)]
    children = [db.session.get(Unit, uid) for uid in graph.current_children(day).get(unit.id, [])]
    predecessors = [db.session.get(Unit, uid) for uid in graph.predecessors(unit.id)]
    return render_template(
        "units/detail.html", unit=unit, today_unit=chain[0], ancestors=chain[1:],
        children=sorted(children, key=lambda u: u.code), predecessors=predecessors,
        learners=len(services.learners_of([unit])), levels=LEVEL_LABELS,
        rename_form=rename_form, move_form=move_form, merge_form=merge_form, unit_choices=unit_choices(),
    ), status


def _unit_or_404(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


def _unit_by_code(text: str | None) -> Unit | None:
    """The unit typed or picked: its code, "Name (code)" or a name only one unit has."""
    try:
        code = find_unit_code(text or "")
    except ChoiceError as problem:
        raise services.UnitError(problem.message, **problem.params) from problem
    return services.find_unit_by_code(code) if code else None
