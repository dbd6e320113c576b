"""The compiled modules: the language scorer (src/pressindex/parse/_ngram_score.c), the
unwrapping of wire lines into paragraphs (src/pressindex/parse/_unwrap.c) and the one-pass scan of a
wire message's envelope (src/pressindex/parse/_envelope.c).
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
        Extension(
            "pressindex.parse._envelope",
            sources=["src/pressindex/parse/_envelope.c"],
            extra_compile_args=["-O3"],
        ),
    ]
)
