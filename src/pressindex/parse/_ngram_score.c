/* The inner loop of pressindex.parse.language, compiled: the sum of langdetect's
 * log-probabilities over a text's n-grams, per language.
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
 *     when it is a profile n-gram (an open-addressing table of row numbers);
 *   - then each distinct n-gram's log-probabilities, times its count, added to the sums.
 *
 * The model is sparse: an n-gram is in about 2 of the 55 profiles on average, and every other
 * language gets the smoothing floor. So a row stores only its languages (CSR), the sums start at
 * floor x n-grams and each stored entry adds its difference to the floor. The whole model is then
 * about 3 MB instead of a 19 MB dense matrix, which matters more than arithmetic: beside
 * Elasticsearch, the dense rows missed the caches.
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

/* build_slots(keys, slots): fill the open-addressing table with the row of each key.
 * keys: uint64, distinct; slots: int32[size], a power of two above the number of keys, all -1
 * (empty). A slot holds a row; the key itself is read from keys[row]. */
static PyObject *build_slots(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer keys, slots;
    if (!PyArg_ParseTuple(args, "y*w*", &keys, &slots)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = keys.len / 8, size = slots.len / 4;
    if (!is_power_of_two(size) || size <= n || n > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "slots: a power of two above the number of keys");
        goto done;
    }
    const uint64_t *k = keys.buf;
    int32_t *sl = slots.buf;
    unsigned shift = shift_for(size);
    for (Py_ssize_t row = 0; row < n; row++) {
        uint64_t s = slot_of(k[row], shift);
        while (sl[s] >= 0) {
            if (k[sl[s]] == k[row]) {
                PyErr_SetString(PyExc_ValueError, "duplicate key");
                goto done;
            }
            s = (s + 1) & (uint64_t)(size - 1);
        }
        sl[s] = (int32_t)row;
    }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&keys);
    PyBuffer_Release(&slots);
    return result;
}

typedef struct {
    const uint64_t *keys;
    const int32_t *slots;
    uint64_t mask;
    unsigned shift;
    int32_t *counts;  /* per row; zero between calls */
    int32_t *touched; /* the rows counted in this call, each once */
    Py_ssize_t n_touched;
    Py_ssize_t known;
} Counter;

/* Count one n-gram if it is a profile n-gram. Counting first and adding rows afterwards reads
 * each distinct n-gram's row once: about half the rows of the full list. */
static inline void count_key(Counter *ct, uint64_t key) {
    uint64_t s = slot_of(key, ct->shift);
    int32_t row;
    for (;;) {
        row = ct->slots[s];
        if (row < 0) return; /* not a profile n-gram */
        if (ct->keys[row] == key) break;
        s = (s + 1) & ct->mask;
    }
    if (ct->counts[row]++ == 0) ct->touched[ct->n_touched++] = row;
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

/* sum_log_prob(text, normalised, keys, slots, row_start, entry_lang, entry_log_prob, floor,
 *              n_langs, counts) -> (sums, known)
 *   text: str, normalize_vi already applied;  normalised: uint32[0x10000];
 *   keys: uint64[rows];  slots: the table build_slots filled;
 *   row_start: uint32[rows + 1], entry_lang: uint8[entries], entry_log_prob: float32[entries]:
 *     row r's languages and log-probabilities are entries row_start[r] .. row_start[r + 1] - 1;
 *   floor: the log-probability of a language whose profile lacks the n-gram;
 *   counts: int32[rows], all zero: scratch space, left zero again.
 * sums: bytes holding float64[n_langs]; known: how many of the text's n-grams are profile n-grams. */
static PyObject *sum_log_prob(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    Py_buffer normalised, keys, slots, row_start, entry_lang, entry_log_prob, counts;
    double floor;
    Py_ssize_t n_langs;
    if (!PyArg_ParseTuple(args, "Uy*y*y*y*y*y*dnw*", &text, &normalised, &keys, &slots, &row_start,
                          &entry_lang, &entry_log_prob, &floor, &n_langs, &counts))
        return NULL;
    PyObject *result = NULL;
    int32_t *touched = NULL;
    double sums[MAX_LANGS];
    Py_ssize_t rows = keys.len / 8, size = slots.len / 4, entries = entry_lang.len;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    const uint32_t *start = row_start.buf;
    if (n_langs < 1 || n_langs > MAX_LANGS || normalised.len != 0x10000 * 4 || !is_power_of_two(size) ||
        row_start.len != (rows + 1) * 4 || counts.len != rows * 4 || entry_log_prob.len != entries * 4 ||
        start[rows] != (uint32_t)entries) {
        PyErr_SetString(PyExc_ValueError, "model arrays of the wrong shape");
        goto done;
    }
    /* at most three n-grams per code point of the padded text (the text and two paddings) */
    touched = PyMem_Malloc(sizeof(int32_t) * (size_t)(3 * (len + 2)));
    if (!touched) {
        PyErr_NoMemory();
        goto done;
    }
    Counter ct = {keys.buf, slots.buf, (uint64_t)(size - 1), shift_for(size), counts.buf, touched, 0, 0};
    const uint32_t *norm = normalised.buf;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);

    Py_ssize_t latin = 0, non_latin = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        latin += is_latin(c);
        non_latin += c >= 0x300 && (c < 0x1E00 || c > 0x1EFF);
    }
    int drop_latin = latin * 2 < non_latin;

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

    const uint8_t *lang = entry_lang.buf;
    const float *lp = entry_log_prob.buf;
    for (Py_ssize_t j = 0; j < n_langs; j++) sums[j] = floor * (double)ct.known;
    for (Py_ssize_t t = 0; t < ct.n_touched; t++) {
        int32_t row = touched[t];
        double times = ct.counts[row];
        ct.counts[row] = 0;
        for (uint32_t e = start[row]; e < start[row + 1]; e++) {
            if (lang[e] < n_langs) sums[lang[e]] += times * ((double)lp[e] - floor);
        }
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)sums, (Py_ssize_t)(n_langs * sizeof(double)));
    if (out) result = Py_BuildValue("(Nn)", out, ct.known);
done:
    PyMem_Free(touched);
    PyBuffer_Release(&normalised);
    PyBuffer_Release(&keys);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&row_start);
    PyBuffer_Release(&entry_lang);
    PyBuffer_Release(&entry_log_prob);
    PyBuffer_Release(&counts);
    return result;
}

static PyMethodDef methods[] = {
    {"build_slots", build_slots, METH_VARARGS, "Fill an open-addressing table of n-gram rows."},
    {"sum_log_prob", sum_log_prob, METH_VARARGS,
     "Sum the model's log-probabilities over a text's n-grams: (float64 sums as bytes, count)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ngram_score", "langdetect n-gram scoring, compiled.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ngram_score(void) { return PyModule_Create(&module); }
