"""Hybrid search of the use-case library: lexical terms (trigram + bigram) fused with meaning (embeddings).

Pure parts live here (terms, lexical scoring, embedders, the in-process vector matrix, rank fusion); the
database indexes and the domain entry point ``search_use_cases`` build on them.
"""
