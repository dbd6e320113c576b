# The compiled module's signatures (src/pressindex/parse/_ngram_score.c), for the type checker.
import numpy as np

# numpy arrays give their memory through the buffer protocol; typeshed sees that only on 3.12+
Buffer = bytes | bytearray | memoryview | np.ndarray

def build_slots(keys: Buffer, row_start: Buffer, slots: Buffer, /) -> None: ...
def sum_log_prob(
    text: str,
    normalised: Buffer,
    slots: Buffer,
    entries: Buffer,
    floor: float,
    n_langs: int,
    /,
) -> tuple[bytes, int]: ...
def best_posterior(sums: Buffer, known: int, evidence: float, /) -> tuple[int, float]: ...
