/* The inner loop of pressindex.parse.language, compiled: the sum of langdetect's
 * log-probability rows over a text's n-grams.
 *
 * Pure computation, no I/O. language.py builds the model from langdetect's profiles and owns the
 * rest of detection; this file walks the text once:
 *
 *   - langdetect's rule for mostly non-Latin text: with fewer than half as many Latin letters as
 *     non-Latin characters, the Latin letters are dropped;
 *   - NGram.normalize per code point, through the BMP table the caller passes (above the BMP it
 *     is the identity; a test checks that);
 *   - one space between words and one either side;
 *   - every 1-, 2- and 3-gram of that padded text, as a key of 21 bits per code point, counted
 *     when it is in the open-addressing table of the model's keys;
 *   - the row of each distinct counted n-gram, times its count, added to the sums.
 *
 * tests/unit/test_parse_language.py compares the result with sums over the n-grams built
 * character by character from langdetect's own functions.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define BITS 21
#define SPACE 0x20u
#define MAX_LANGS 256
#define FLUSH 32 /* rows per float32 partial sum */

static inline uint64_t slot_of(uint64_t key, unsigned shift) {
    return (key * 0x9E3779B97F4A7C15ull) >> shift;
}

/* The table size is a power of two; shift = 64 - log2(size). */
static unsigned shift_for(Py_ssize_t size) {
    unsigned bits = 0;
    while (((Py_ssize_t)1 << bits) < size) bits++;
    return 64u - bits;
}

static int is_power_of_two(Py_ssize_t n) { return n > 0 && (n & (n - 1)) == 0; }

/* build_slots(keys, slot_keys, slot_rows): fill the open-addressing table. keys: uint64, no
 * zero key (a zero slot key means empty); slot_keys: uint64[size], zeroed; slot_rows: int32[size]. */
static PyObject *build_slots(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer keys, slot_keys, slot_rows;
    if (!PyArg_ParseTuple(args, "y*w*w*", &keys, &slot_keys, &slot_rows)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = keys.len / 8, size = slot_keys.len / 8;
    if (slot_rows.len != size * 4 || !is_power_of_two(size) || size < 2 * n) {
        PyErr_SetString(PyExc_ValueError, "slot arrays: a power of two, at least twice the keys");
        goto done;
    }
    const uint64_t *k = keys.buf;
    uint64_t *sk = slot_keys.buf;
    int32_t *sr = slot_rows.buf;
    unsigned shift = shift_for(size);
    for (Py_ssize_t row = 0; row < n; row++) {
        if (k[row] == 0) {
            PyErr_SetString(PyExc_ValueError, "zero key");
            goto done;
        }
        uint64_t s = slot_of(k[row], shift);
        while (sk[s] != 0 && sk[s] != k[row]) s = (s + 1) & (uint64_t)(size - 1);
        sk[s] = k[row];
        sr[s] = (int32_t)row;
    }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&keys);
    PyBuffer_Release(&slot_keys);
    PyBuffer_Release(&slot_rows);
    return result;
}

typedef struct {
    const uint64_t *slot_keys;
    uint64_t mask;
    unsigned shift;
    int32_t *counts;  /* per slot; zero between calls */
    int32_t *touched; /* the slots counted in this call, each once */
    Py_ssize_t n_touched;
    Py_ssize_t known;
} Counter;

/* Count one n-gram if it is a profile n-gram. Counting first and adding rows after reads each
 * distinct n-gram's row once: about half the rows of the full list, and the rows are the cost
 * (a 19 MB table that the caches do not hold). */
static inline void count_key(Counter *ct, uint64_t key) {
    uint64_t s = slot_of(key, ct->shift);
    for (;;) {
        uint64_t found = ct->slot_keys[s];
        if (found == key) break;
        if (found == 0) return;
        s = (s + 1) & ct->mask;
    }
    if (ct->counts[s]++ == 0) ct->touched[ct->n_touched++] = (int32_t)s;
    ct->known++;
}

/* Feed one code point of the padded text: its 1-gram and the 2- and 3-grams it ends. */
static inline void feed(Counter *ct, uint64_t *window, Py_ssize_t *seen, uint64_t c) {
    window[0] = window[1];
    window[1] = window[2];
    window[2] = c;
    (*seen)++;
    count_key(ct, c);
    if (*seen >= 2) count_key(ct, (window[1] << BITS) | c);
    if (*seen >= 3) count_key(ct, (window[0] << (2 * BITS)) | (window[1] << BITS) | c);
}

static inline int is_latin(Py_UCS4 c) { return c >= 0x41 && c <= 0x7A; }

/* sum_log_prob(text, normalised, slot_keys, slot_rows, counts, log_prob, n_langs) -> (sums, known)
 *   text: str, normalize_vi already applied;  normalised: uint32[0x10000];
 *   slot_keys, slot_rows: the table build_slots filled;  counts: int32[slots], all zero (scratch,
 *   left zero again);  log_prob: float32[rows, n_langs], C order.
 * sums: bytes holding float64[n_langs]; known: how many of the text's n-grams are profile n-grams. */
static PyObject *sum_log_prob(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    Py_buffer normalised, slot_keys, slot_rows, counts, log_prob;
    Py_ssize_t n_langs;
    if (!PyArg_ParseTuple(args, "Uy*y*y*w*y*n", &text, &normalised, &slot_keys, &slot_rows, &counts,
                          &log_prob, &n_langs))
        return NULL;
    PyObject *result = NULL;
    int32_t *touched = NULL;
    double sums[MAX_LANGS] = {0};
    Py_ssize_t size = slot_keys.len / 8, len = PyUnicode_GET_LENGTH(text);
    if (n_langs < 1 || n_langs > MAX_LANGS || normalised.len != 0x10000 * 4 ||
        slot_rows.len != size * 4 || counts.len != size * 4 || !is_power_of_two(size) ||
        log_prob.len % (n_langs * 4) != 0) {
        PyErr_SetString(PyExc_ValueError, "model arrays of the wrong shape");
        goto done;
    }
    /* at most three n-grams per code point of the padded text (the text and two paddings) */
    touched = PyMem_Malloc(sizeof(int32_t) * (size_t)(3 * (len + 2)));
    if (!touched) {
        PyErr_NoMemory();
        goto done;
    }
    Counter ct = {slot_keys.buf, (uint64_t)(size - 1), shift_for(size), counts.buf, touched, 0, 0};
    const uint32_t *norm = normalised.buf;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);

    Py_ssize_t latin = 0, non_latin = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        latin += is_latin(c);
        non_latin += c >= 0x300 && (c < 0x1E00 || c > 0x1EFF);
    }
    int drop_latin = latin * 2 < non_latin; /* langdetect: mostly non-Latin text loses its Latin letters */

    uint64_t window[3] = {0, 0, 0};
    Py_ssize_t seen = 0, fed = 0;
    int after_space = 1; /* the leading padding */
    feed(&ct, window, &seen, SPACE);
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (drop_latin && is_latin(c)) continue;
        uint32_t n = c <= 0xFFFF ? norm[c] : (uint32_t)c;
        if (n == SPACE) {
            if (after_space) continue;
            after_space = 1;
        } else {
            after_space = 0;
        }
        feed(&ct, window, &seen, n);
        fed++;
    }
    /* a trailing space of the text is the closing padding; an empty text gets both paddings */
    if (!after_space || fed == 0) feed(&ct, window, &seen, SPACE);

    /* float32 partial sums of up to FLUSH rows (what vectorises), added up in float64: one
     * float32 sum over thousands of rows drifts by about 1e-5 of its value */
    const int32_t *rows = slot_rows.buf;
    const float *lp = log_prob.buf;
    float part[MAX_LANGS] = {0};
    for (Py_ssize_t t = 0; t < ct.n_touched; t++) {
        int32_t s = touched[t];
        float times = (float)ct.counts[s];
        ct.counts[s] = 0;
        const float *row = lp + (Py_ssize_t)rows[s] * n_langs;
        for (Py_ssize_t j = 0; j < n_langs; j++) part[j] += times * row[j];
        if ((t + 1) % FLUSH == 0 || t + 1 == ct.n_touched) {
            for (Py_ssize_t j = 0; j < n_langs; j++) {
                sums[j] += part[j];
                part[j] = 0;
            }
        }
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)sums, (Py_ssize_t)(n_langs * sizeof(double)));
    if (out) result = Py_BuildValue("(Nn)", out, ct.known);
done:
    PyMem_Free(touched);
    PyBuffer_Release(&normalised);
    PyBuffer_Release(&slot_keys);
    PyBuffer_Release(&slot_rows);
    PyBuffer_Release(&counts);
    PyBuffer_Release(&log_prob);
    return result;
}

static PyMethodDef methods[] = {
    {"build_slots", build_slots, METH_VARARGS, "Fill an open-addressing table of n-gram keys."},
    {"sum_log_prob", sum_log_prob, METH_VARARGS,
     "Sum the model's log-probability rows over a text's n-grams: (float64 sums as bytes, count)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ngram_score", "langdetect n-gram scoring, compiled.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ngram_score(void) { return PyModule_Create(&module); }
