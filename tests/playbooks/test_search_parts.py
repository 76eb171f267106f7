"""The pure parts of the library search: query terms, lexical scoring, the vector matrix, rank fusion."""

import numpy as np
import pytest

from playbooks.search import embedders, fusion, lexical
from playbooks.search.terms import (
    MAX_QUERY_CHARS,
    bigrams,
    highlight,
    is_short,
    normalize,
    parse_query,
    snippet,
    trigrams,
)
from playbooks.search.vectors import VectorMatrix, merge


def test_japanese_tokens_split_where_the_script_changes():
    assert parse_query("稟議書の下書き").terms == ("稟議書", "下書")
    assert parse_query("決裁申請の文面づくりを時短").terms == ("決裁申請", "文面", "時短")
    assert parse_query("請求書PDFから明細").terms == ("請求書", "pdf", "明細")
    assert parse_query("データベース").terms == ("データベース",)


def test_latin_terms_are_folded_and_stop_words_dropped():
    assert parse_query("Drafting the APPROVAL requests").terms == ("drafting", "approval", "requests")
    assert parse_query("ＳＱＬ").terms == ("sql",)
    assert parse_query("the").terms == ("the",)  # a query of only a stop word still searches for it


def test_punctuation_only_and_huge_queries_are_harmless():
    empty = parse_query("!!! ??? 。、「」")
    assert empty.terms == () and empty.text == "" and empty.empty
    long = parse_query("議事録 " * 400)
    assert long.truncated and len(long.text) <= MAX_QUERY_CHARS and long.terms == ("議事録",)
    assert parse_query("x" * 2000).terms[0] == "x" * 64


def test_short_terms_take_the_bigram_path():
    assert is_short("日報") and not is_short("議事録")
    assert trigrams("議事録作成") == {"議事録", "事録作", "録作成"}
    assert bigrams("日報の下書き SQL") == ["日報", "報の", "の下", "下書", "書き"]


def test_highlight_marks_terms_case_insensitively_and_keeps_text():
    pieces = highlight("Drafting Approval requests", ["approval"])
    assert pieces == [("Drafting ", False), ("Approval", True), (" requests", False)]
    text = "<script>議事録</script>"
    assert "".join(p for p, _ in highlight(text, ["議事録"])) == text
    # Text whose normalised form has another length is left unmarked rather than marked in the wrong place.
    assert highlight("㍿議事録", ["議事録"]) == [("㍿議事録", False)]


def test_snippet_centres_on_the_first_match():
    text = "a" * 300 + " 議事録 " + "b" * 300
    piece = snippet(text, ["議事録"], width=60)
    assert "議事録" in piece and piece.startswith("…") and piece.endswith("…")


def fields(**kw):
    return lexical.searchable_fields(kw)


def test_lexical_ranks_more_terms_first_then_heavier_fields():
    docs = {
        1: fields(title="議事録", prompt="要約"),
        2: fields(title="要約", prompt="要約して"),
        3: fields(prompt="議事録"),
    }
    ranked = lexical.rank(docs, parse_query("議事録 要約").terms)
    assert [h.doc_id for h in ranked] == [1, 2, 3]
    assert set(ranked[0].matched) == {"議事録", "要約"}


def test_latin_terms_match_at_word_starts_only():
    docs = {1: fields(title="Outline the slides"), 2: fields(title="Line items")}
    assert [h.doc_id for h in lexical.rank(docs, ["line"])] == [2]
    assert [h.doc_id for h in lexical.rank({3: fields(title="Approval requests")}, ["request"])] == [3]


def test_long_queries_need_half_their_terms():
    docs = {1: fields(title="extract items"), 2: fields(title="items")}
    ranked = lexical.rank(docs, parse_query("extract line items from invoices").terms)
    assert [h.doc_id for h in ranked] == [1]
    assert lexical.minimum_should_match(2) == 1 and lexical.minimum_should_match(5) == 3


def test_tags_are_searchable():
    docs = {1: fields(title="x", tags=["context:sales"])}
    assert lexical.rank(docs, parse_query("context:sales").terms)[0].matched == ("context:sales",)


def unit(*values):
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_vector_matrix_search_respects_allowed_ids_and_limit():
    matrix = VectorMatrix.from_rows(3, [(1, unit(1, 0, 0)), (2, unit(1, 1, 0)), (3, unit(0, 0, 1))])
    assert [d for d, _ in matrix.search(unit(1, 0, 0), 2)] == [1, 2]
    assert [d for d, _ in matrix.search(unit(1, 0, 0), 5, allowed=[2, 3])] == [2, 3]
    assert matrix.search(unit(1, 0, 0), 5, allowed=[]) == []
    assert [d for d, _ in matrix.search(unit(1, 0, 0), 5, min_score=0.5)] == [1, 2]


def test_vector_matrix_upsert_remove_and_bytes_rows():
    matrix = VectorMatrix.from_rows(3, [(1, unit(1, 0, 0).tobytes()), (9, np.zeros(5, dtype=np.float32))])
    assert list(matrix.ids) == [1]  # a vector of another size is ignored, not a crash
    matrix.upsert(2, unit(0, 1, 0))
    matrix.upsert(1, unit(0, 0, 1))
    assert matrix.search(unit(0, 0, 1), 1)[0][0] == 1
    matrix.remove(1)
    assert list(matrix.ids) == [2] and matrix.vector_of(1) is None
    both = merge([matrix, VectorMatrix.from_rows(3, [(5, unit(1, 0, 0))])], 3)
    assert sorted(both.ids.tolist()) == [2, 5]


def test_rrf_adds_reciprocal_ranks():
    fused = fusion.rrf({"a": [1, 2], "b": [2, 3]}, k=60)
    assert [d for d, _, _ in fused] == [2, 1, 3]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[0][2] == ["a", "b"]


def test_hybrid_reports_why_each_result_matched():
    matrix = VectorMatrix.from_rows(2, [(1, unit(1, 0)), (2, unit(0.9, 0.1)), (3, unit(0, 1))])
    hits = [lexical.LexicalHit(doc_id=3, score=101.0, matched=("日報",))]
    ranked = fusion.hybrid_rank(hits, matrix, unit(1, 0), limit=3)
    by_id = {r.doc_id: r for r in ranked}
    assert by_id[3].matched_terms == ("日報",) and not by_id[3].similar_meaning
    assert by_id[1].similar_meaning and by_id[1].matched_terms == ()
    assert fusion.hybrid_rank(hits, None, None, limit=3)[0].doc_id == 3  # no embedder: lexical only


def test_none_embedder_switches_semantic_search_off():
    none = embedders.embedder_for("none")
    assert none.dim == 0 and none.encode(["a", "b"]).shape == (2, 0)
    with pytest.raises(ValueError, match="USECASE_EMBEDDER"):
        embedders.embedder_for("word2vec")


def test_bundled_model_is_loaded_once_and_returns_unit_vectors():
    use = embedders.embedder_for("use")
    assert embedders.embedder_for("") is use
    vectors = use.encode(["議事録の要約", "Summarizing meeting minutes", "x" * 200_000])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert use.version.startswith("use-multilingual-v3@")
    assert use.encode([]).shape == (0, 512)


def test_sentence_transformers_setting_names_its_model_without_loading_it():
    st = embedders.embedder_for("st:/models/paraphrase-multilingual")
    assert st.version == "st:paraphrase-multilingual"


def test_embedding_text_is_title_and_problem():
    assert embedders.embedding_text({"title": "T", "problem": "P", "prompt": "long"}) == "T. P"
    assert normalize("Ｔｅｓｔ") == "test"


def test_line_diff_marks_removed_added_and_kept_lines():
    from playbooks.usecase_history import line_diff

    diff = line_diff("a\nb\nc", "a\nB\nc")
    assert diff == [(" ", "a"), ("-", "b"), ("+", "B"), (" ", "c")]
    assert line_diff(None, "new") == [("-", ""), ("+", "new")]
    long = "\n".join(str(i) for i in range(50))
    shortened = line_diff(long, long.replace("\n25\n", "\nX\n"))
    assert (" ", "…") not in shortened and len(shortened) < 10


def test_mentions_are_handles_after_an_at_sign():
    from playbooks.usecase_comments import mentioned_handles

    body = "@Hanako.Sato and @ken@example.com, see mail@example.com. @hanako.sato again."
    assert mentioned_handles(body) == ["hanako.sato", "ken@example.com"]


def test_search_many_is_search_for_each_row_in_one_pass():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    matrix = VectorMatrix.from_rows(8, [(i + 1, v) for i, v in enumerate(vectors)])
    queries = vectors[[3, 7, 11]]
    many = matrix.search_many(queries, 5, allowed=range(1, 40), min_score=0.0)
    single = [matrix.search(q, 5, allowed=range(1, 40), min_score=0.0) for q in queries]
    assert [[d for d, _ in row] for row in many] == [[d for d, _ in row] for row in single]
    scores = [s for row in single for _, s in row]
    assert [s for row in many for _, s in row] == pytest.approx(scores, abs=1e-5)
    assert many[0][0][0] == 4  # a vector is its own nearest neighbour
