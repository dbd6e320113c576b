"""The compiled modules: the language scorer (src/pressindex/parse/_ngram_score.c) and the
unwrapping of wire lines into paragraphs (src/pressindex/parse/_unwrap.c).
Everything else about the package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pressindex.parse._ngram_score",
            sources=["src/pressindex/parse/_ngram_score.c"],
            extra_compile_args=["-O3"],
            libraries=["m"],  # exp()
        ),
        Extension(
            "pressindex.parse._unwrap",
            sources=["src/pressindex/parse/_unwrap.c"],
            extra_compile_args=["-O3"],
        ),
    ]
)
