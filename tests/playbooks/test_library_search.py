"""search_use_cases against PostgreSQL (pg_trgm + bigram tsvector) and SQLite (FTS5), with isolation."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from playbooks.search.embedders import embedder_for
from playbooks.search.index import UseCaseEmbedding, UseCaseSearch, check_database_locale
from playbooks.search.service import SearchFilters, search_use_cases, similar_use_cases
from playbooks.usecases import UseCase, create_use_case
from tenants.accounts import get_account
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import make_world

DATA = yaml.safe_load((Path(__file__).parent / "data" / "usecase_relevance.yaml").read_text(encoding="utf-8"))


def load_cases(world, account_index=0, suffix="") -> dict[str, int]:
    """The relevance set in one account (the world's own sample cases archived, so only the set counts)."""
    ids = {}
    with scoped(db.session, Scope(world.tenant_id)):
        for case in db.session.scalars(select(UseCase).where(UseCase.id.in_(world.use_case_ids))):
            case.stage = "archived"
        account = get_account(db.session, world.account_ids[account_index])
        for n, (key, case) in enumerate(DATA["cases"].items()):
            created = create_use_case(
                db.session,
                account,
                None,
                title=case["title"] + suffix,
                problem=case["problem"],
                prompt=case["prompt"],
                result=case["result"],
                tags=case["tags"],
                model_name="gpt-4o" if n % 2 else "claude",
                used_on=date(2026, 1 + n % 12, 1),
                team_id=account.teams[n % 2].id,
            )
            ids[key] = created.id
        db.session.commit()
    return ids


def search(world, query, account_ids=None, scope=None, **filters):
    scope = scope or Scope(world.tenant_id)
    with scoped(db.session, scope):
        found = search_use_cases(
            db.session, account_ids or [world.account_ids[0]], query, SearchFilters(**filters), limit=3
        )
        return found


def test_ringisho_finds_english_and_japanese_write_ups_and_says_why(app):
    world = make_world(app, "srch")
    with app.app_context():
        ids = load_cases(world)
        found = search(world, "稟議書 下書き")
        by_id = {h.use_case.id: h for h in found.hits}
        assert {ids["approval_en"], ids["kessai_ja"]} <= set(by_id)
        assert by_id[ids["kessai_ja"]].matched_terms == ("下書",)  # the bigram path found 下書き
        assert by_id[ids["approval_en"]].similar_meaning and not by_id[ids["approval_en"]].matched_terms
        assert ("下書", True) in by_id[ids["kessai_ja"]].snippet_pieces
        # Vectors were computed lazily for cases created without one, with the model version stored.
        with scoped(db.session, Scope(world.tenant_id)):
            versions = set(db.session.scalars(select(UseCaseEmbedding.model_version)))
        assert versions == {embedder_for("use").version}


@pytest.mark.parametrize("case", DATA["queries"], ids=[q["q"] for q in DATA["queries"]])
def test_relevance_set_through_the_database(app, case):
    world = make_world(app, "rel")
    with app.app_context():
        ids = load_cases(world)
        found = [h.use_case.id for h in search(world, case["q"]).hits]
        assert {ids[k] for k in case["expect"]} <= set(found), (case["q"], found)


def test_lexical_only_when_the_embedder_is_none(app):
    world = make_world(app, "none")
    with app.app_context():
        ids = load_cases(world)
        with scoped(db.session, Scope(world.tenant_id)):
            found = search_use_cases(
                db.session, [world.account_ids[0]], "稟議書 下書き", embedder=embedder_for("none")
            )
        assert not found.semantic
        assert ids["kessai_ja"] in [h.use_case.id for h in found.hits]
        assert ids["approval_en"] not in [h.use_case.id for h in found.hits]


def test_search_never_returns_another_account_or_tenant(app):
    alpha, bravo = make_world(app, "iso-a"), make_world(app, "iso-b")
    with app.app_context():
        mine = load_cases(alpha, 0)
        sibling = load_cases(alpha, 1, suffix=" (sibling)")
        foreign = load_cases(bravo, 0, suffix=" (foreign)")
        for query in ("稟議書 下書き", "議事録", "approval request", "請求書 PDF"):
            # A client user's scope, asking (wrongly) for every account id it can think of.
            client_scope = Scope(alpha.tenant_id, frozenset({alpha.account_ids[0]}))
            asked = [*alpha.account_ids, *bravo.account_ids]
            hits = {h.use_case.id for h in search(alpha, query, asked, client_scope).hits}
            assert hits and hits <= set(mine.values()), query
            # Vendor staff see both accounts of their vendor, never the other vendor.
            hits = {h.use_case.id for h in search(alpha, query, alpha.account_ids).hits}
            assert not hits & set(foreign.values())
        both = {h.use_case.id for h in search(alpha, "稟議書 下書き", alpha.account_ids).hits}
        assert both & set(sibling.values())


def test_filters_and_hostile_queries(app):
    world = make_world(app, "filt")
    with app.app_context():
        ids = load_cases(world)
        assert search(world, "!!!。、？").hits == [] and search(world, "!!!").notice
        long = search(world, "議事録 " * 500)
        assert long.notice and ids["minutes_ja"] in [h.use_case.id for h in long.hits]
        assert search(world, "%_\\'\"").hits == []  # LIKE and FTS syntax are escaped, not interpreted
        only_claude = search(world, "議事録 meeting", model="CLAUDE")
        assert all(h.use_case.model_name == "claude" for h in only_claude.hits)
        tagged = search(world, "要約 summary", tag="context:eng")
        assert [h.use_case.id for h in tagged.hits] == [ids["minutes_en"]] or all(
            "context:eng" in h.use_case.tags for h in tagged.hits
        )
        assert search(world, "議事録", date_from=date(2027, 1, 1)).hits == []
        # Procurement reads production cases only.
        assert search(world, "議事録", stages=frozenset({"production"})).hits == []


def test_similar_cases_are_suggested_while_writing(app):
    world = make_world(app, "sim")
    with app.app_context():
        ids = load_cases(world)
        with scoped(db.session, Scope(world.tenant_id)):
            hits = similar_use_cases(
                db.session, [world.account_ids[0]], "購買の決裁申請を書く. 稟議の文章に時間がかかる", limit=3
            )
        assert {ids["kessai_ja"], ids["approval_en"]} & {h.use_case.id for h in hits}


def test_index_follows_edits_and_the_locale_check_passes_here(app):
    world = make_world(app, "idx")
    with app.app_context():
        ids = load_cases(world)
        with scoped(db.session, Scope(world.tenant_id)):
            row = db.session.get(UseCaseSearch, ids["sql_ja"])
            assert "sql" in row.body and row.account_id == world.account_ids[0]
            case = db.session.get(UseCase, ids["sql_ja"])
            case.title = "Monthly SALES report"
            db.session.commit()
            db.session.refresh(row)
            assert "monthly sales report" in row.body
        assert check_database_locale(db.engine) is None  # C.UTF-8 here


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app
    from tests.helpers import app_config

    path = tmp_path_factory.mktemp("library") / "library.sqlite3"
    # Same rate-limit storage as the PostgreSQL app: the limiter is one object shared by both apps.
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
    return app


def test_sqlite_fts5_trigram_and_bigram_paths(sqlite_app):
    world = make_world(sqlite_app, "lite")
    with sqlite_app.app_context():
        ids = load_cases(world)
        found = search(world, "稟議書 下書き")
        assert {ids["approval_en"], ids["kessai_ja"]} <= {h.use_case.id for h in found.hits}
        with scoped(db.session, Scope(world.tenant_id)):
            none = embedder_for("none")
            for query, key in (
                ("日報", "daily_report_ja"),
                ("議事録", "minutes_ja"),
                ("postmortem", "incident_en"),
            ):
                lexical = search_use_cases(db.session, [world.account_ids[0]], query, embedder=none)
                assert [h.use_case.id for h in lexical.hits][:1] == [ids[key]], query
            # A deleted case leaves the FTS tables too.
            db.session.delete(db.session.get(UseCase, ids["daily_report_ja"]))
            db.session.commit()
            assert search_use_cases(db.session, [world.account_ids[0]], "日報", embedder=none).hits == []
        assert check_database_locale(db.engine) is None
