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
 *     in its slot of an open-addressing table when it is a profile n-gram;
 *   - then each distinct n-gram's log-probabilities, times its count, added to the sums.
 *
 * The model is sparse: an n-gram is in about 2 of the 55 profiles on average, and every other
 * language gets the smoothing floor. So a row stores only its languages (CSR), the sums start at
 * floor x n-grams and each stored entry adds its difference to the floor. The whole model is then
 * about 5 MB instead of a 19 MB dense matrix, and a lookup reads one 16-byte slot (key, entries,
 * count) rather than a key, a row number and a counter in three arrays. Cache misses are what
 * this loop costs: the rest of parsing, and Elasticsearch beside it, evict the model between
 * two texts.
 *
 * tests/parse/test_parse_language.py compares the result with sums over the n-grams built
 * character by character from langdetect's own functions.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
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

/* One entry of the model: a language's log-probability of an n-gram. Packed (5 bytes): a row's
 * languages and log-probabilities are read from one place, mostly one cache line (as two arrays,
 * a row cost two cache misses: the model is evicted between two texts). language.py's _ENTRY is
 * the same layout. */
typedef struct __attribute__((packed)) {
    float log_prob;
    uint8_t lang;
} Entry;

/* At least two slots: a shift of 64 would be undefined. */
static int valid_table_size(Py_ssize_t n) { return n >= 2 && (n & (n - 1)) == 0; }

/* One slot of the open-addressing table: everything a lookup needs in 16 bytes, so counting an
 * n-gram touches one cache line. key 0 marks an empty slot (every n-gram has a non-zero code
 * point). count is sum_log_prob's scratch space, zero between calls; the calls hold the GIL
 * throughout, so two threads never count in one table at once. */
typedef struct {
    uint64_t key;
    uint32_t entries; /* first entry << 8 | number of entries (languages) */
    uint32_t count;
} Slot;

/* build_slots(keys, row_start, slots): fill the table. keys: uint64[rows], distinct and non-zero;
 * row_start: uint32[rows + 1]; slots: a zeroed buffer of 16-byte slots, a power of two of them
 * and more than the keys. */
static PyObject *build_slots(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer keys, row_start, slots;
    if (!PyArg_ParseTuple(args, "y*y*w*", &keys, &row_start, &slots)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = keys.len / 8, size = slots.len / (Py_ssize_t)sizeof(Slot);
    if (!valid_table_size(size) || size <= n || row_start.len != (n + 1) * 4) {
        PyErr_SetString(PyExc_ValueError, "slots: a power of two above the number of keys");
        goto done;
    }
    const uint64_t *k = keys.buf;
    const uint32_t *start = row_start.buf;
    Slot *sl = slots.buf;
    unsigned shift = shift_for(size);
    for (Py_ssize_t row = 0; row < n; row++) {
        uint32_t entries = start[row + 1] - start[row];
        if (k[row] == 0 || entries > 0xFF || start[row] > 0xFFFFFF) {
            PyErr_SetString(PyExc_ValueError, "a zero key, or more entries than a slot can address");
            goto done;
        }
        uint64_t s = slot_of(k[row], shift);
        while (sl[s].key != 0) {
            if (sl[s].key == k[row]) {
                PyErr_SetString(PyExc_ValueError, "duplicate key");
                goto done;
            }
            s = (s + 1) & (uint64_t)(size - 1);
        }
        sl[s] = (Slot){k[row], start[row] << 8 | entries, 0};
    }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&keys);
    PyBuffer_Release(&row_start);
    PyBuffer_Release(&slots);
    return result;
}

typedef struct {
    Slot *slots;
    uint64_t mask;
    unsigned shift;
    int32_t *touched; /* the slots counted in this call, each once */
    Py_ssize_t n_touched;
    Py_ssize_t known;
} Counter;

/* Count one n-gram if it is a profile n-gram. Counting first and adding entries afterwards reads
 * each distinct n-gram's entries once: about half the n-grams of a text are repeats. */
static inline void count_key(Counter *ct, uint64_t key) {
    uint64_t s = slot_of(key, ct->shift);
    for (;;) {
        uint64_t found = ct->slots[s].key;
        if (found == key) break;
        if (found == 0) return; /* not a profile n-gram */
        s = (s + 1) & ct->mask;
    }
    if (ct->slots[s].count++ == 0) ct->touched[ct->n_touched++] = (int32_t)s;
    ct->known++;
}

/* How many keys ahead a slot is fetched into the cache while the current key is counted: the
 * table (4 MB) is evicted between texts, so each lookup would otherwise wait for memory
 * (measured with the caches flushed between texts: 210-260 us per 1,000-character sample
 * without prefetching, 140-180 us with). */
#define PREFETCH_AHEAD 12
#define KEY_BLOCK 1024

/* The keys of a text, counted a block at a time so that the slots of later keys can be fetched
 * while earlier ones are counted. */
typedef struct {
    uint64_t keys[KEY_BLOCK];
    Py_ssize_t n;
} KeyBlock;

static void count_block(Counter *ct, KeyBlock *kb) {
    for (Py_ssize_t k = 0; k < kb->n; k++) {
        if (k + PREFETCH_AHEAD < kb->n)
            __builtin_prefetch(&ct->slots[slot_of(kb->keys[k + PREFETCH_AHEAD], ct->shift)], 1, 0);
        count_key(ct, kb->keys[k]);
    }
    kb->n = 0;
}

/* Feed one code point of the padded text: its 1-gram and the 2- and 3-grams it ends. */
static inline void feed(Counter *ct, KeyBlock *kb, uint64_t *window, Py_ssize_t *seen, uint64_t c) {
    if (kb->n > KEY_BLOCK - 3) count_block(ct, kb);
    window[0] = window[1];
    window[1] = window[2];
    window[2] = c;
    (*seen)++;
    kb->keys[kb->n++] = c;
    if (*seen >= 2) kb->keys[kb->n++] = (window[1] << BITS) | c;
    if (*seen >= 3) kb->keys[kb->n++] = (window[0] << (2 * BITS)) | (window[1] << BITS) | c;
}

static inline int is_latin(Py_UCS4 c) { return c >= 0x41 && c <= 0x7A; }

/* sum_log_prob(text, normalised, slots, entries, floor, n_langs) -> (sums, known)
 *   text: str, normalize_vi already applied;  normalised: uint32[0x10000];
 *   slots: the table build_slots filled (its counts are left zero again);
 *   entries: Entry[entries] (float32 log-probability, uint8 language, packed): an n-gram's
 *     languages and log-probabilities are its slot's entries first .. first + n - 1;
 *   floor: the log-probability of a language whose profile lacks the n-gram.
 * sums: bytes holding float64[n_langs]; known: how many of the text's n-grams are profile n-grams. */
static PyObject *sum_log_prob(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    Py_buffer normalised, slots, entry_buf;
    double floor;
    Py_ssize_t n_langs;
    if (!PyArg_ParseTuple(args, "Uy*w*y*dn", &text, &normalised, &slots, &entry_buf, &floor, &n_langs))
        return NULL;
    PyObject *result = NULL;
    int32_t *touched = NULL;
    KeyBlock *kb = NULL;
    double sums[MAX_LANGS];
    Py_ssize_t size = slots.len / (Py_ssize_t)sizeof(Slot), entries = entry_buf.len / (Py_ssize_t)sizeof(Entry);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    if (n_langs < 1 || n_langs > MAX_LANGS || normalised.len != 0x10000 * 4 || !valid_table_size(size) ||
        entry_buf.len % (Py_ssize_t)sizeof(Entry)) {
        PyErr_SetString(PyExc_ValueError, "model arrays of the wrong shape");
        goto done;
    }
    /* at most three n-grams per code point of the padded text (the text and two paddings) */
    touched = PyMem_Malloc(sizeof(int32_t) * (size_t)(3 * (len + 2)));
    kb = PyMem_Malloc(sizeof(KeyBlock));
    if (!touched || !kb) {
        PyErr_NoMemory();
        goto done;
    }
    kb->n = 0;
    Counter ct = {slots.buf, (uint64_t)(size - 1), shift_for(size), touched, 0, 0};
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
    feed(&ct, kb, window, &seen, SPACE);
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
        feed(&ct, kb, window, &seen, n);
        fed++;
    }
    /* a trailing space of the text is the closing padding; an empty text gets both paddings */
    if (!after_space || fed == 0) feed(&ct, kb, window, &seen, SPACE);
    count_block(&ct, kb);

    const Entry *entry = entry_buf.buf;
    for (Py_ssize_t j = 0; j < n_langs; j++) sums[j] = floor * (double)ct.known;
    for (Py_ssize_t t = 0; t < ct.n_touched; t++) {
        if (t + PREFETCH_AHEAD < ct.n_touched) {
            uint32_t ahead = ct.slots[touched[t + PREFETCH_AHEAD]].entries >> 8;
            if (ahead < (uint32_t)entries) __builtin_prefetch(&entry[ahead], 0, 0);
        }
        Slot *slot = &ct.slots[touched[t]];
        double times = slot->count;
        slot->count = 0;
        uint32_t first = slot->entries >> 8, end = first + (slot->entries & 0xFF);
        if (end > (uint32_t)entries) continue; /* a table built for other entries: never read past them */
        for (uint32_t e = first; e < end; e++) {
            if (entry[e].lang < n_langs) sums[entry[e].lang] += times * ((double)entry[e].log_prob - floor);
        }
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)sums, (Py_ssize_t)(n_langs * sizeof(double)));
    if (out) result = Py_BuildValue("(Nn)", out, ct.known);
done:
    PyMem_Free(touched);
    PyMem_Free(kb);
    PyBuffer_Release(&normalised);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&entry_buf);
    return result;
}

/* best_posterior(sums, known, evidence) -> (index, probability): the language with the highest
 * mean log-likelihood and its posterior when each language's mean is scaled to ``evidence``
 * n-grams. Done here because numpy spends ~50 us on five operations over 55 numbers. */
static PyObject *best_posterior(PyObject *self, PyObject *args) {
    Py_buffer sums;
    Py_ssize_t known;
    double evidence;
    if (!PyArg_ParseTuple(args, "y*nd", &sums, &known, &evidence)) return NULL;
    Py_ssize_t n = sums.len / (Py_ssize_t)sizeof(double);
    if (n < 1 || sums.len % (Py_ssize_t)sizeof(double) || known < 1) {
        PyBuffer_Release(&sums);
        PyErr_SetString(PyExc_ValueError, "best_posterior needs at least one sum and one n-gram");
        return NULL;
    }
    const double *s = sums.buf;
    Py_ssize_t best = 0;
    for (Py_ssize_t i = 1; i < n; i++)
        if (s[i] > s[best]) best = i; /* the first of equal maxima, as numpy's argmax */
    double top = s[best] / (double)known, total = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) total += exp((s[i] / (double)known - top) * evidence);
    PyBuffer_Release(&sums);
    return Py_BuildValue("(nd)", best, 1.0 / total); /* the best term is exp(0) = 1 */
}

static PyMethodDef methods[] = {
    {"build_slots", build_slots, METH_VARARGS, "Fill the open-addressing table of profile n-grams."},
    {"sum_log_prob", sum_log_prob, METH_VARARGS,
     "Sum the model's log-probabilities over a text's n-grams: (float64 sums as bytes, count)."},
    {"best_posterior", best_posterior, METH_VARARGS,
     "The best language of the sums and its posterior at a given evidence: (index, probability)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ngram_score", "langdetect n-gram scoring, compiled.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ngram_score(void) { return PyModule_Create(&module); }
