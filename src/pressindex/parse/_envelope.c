/* One pass over a wire message for what its envelope reader looks for in the whole text, compiled:
 * pressindex.parse.wire_format.open_envelope.
 *
 * scan_envelope(text) gives (start, end, odd_controls, printable):
 *
 *   start, end    the first occurrence of any of the non-public marker's distinctive words
 *                 (pressindex.parse.nonpublic._PREFILTER_WORDS, case as written there), (-1, -1)
 *                 when the text holds none: what min(text.find(w) for w in words) finds;
 *   odd_controls  whether the text holds a character of wire_notes.CONTROLS ([\x00-\x08\x0b-\x1f\x7f])
 *                 other than the envelope's SOH STX ETX EOT (and CR, made LF before the scan);
 *   printable     whether every character but LF and SOH STX ETX EOT is one str.isprintable()
 *                 accepts: then so does a story made of the message's characters, spaces and
 *                 line ends (clean_text's first test, a lookup per character in Python, saved).
 *
 * In Python these were four str.find passes over the message and a translate of the file's bytes;
 * here one pass looks at every character for the controls, and one looks for the words (Horspool:
 * at most the length of a word compared at a window, windows moving on by 1 to 10 characters;
 * linear). tests/parse/test_parse_wire_formats.py compares it with the Python steps on
 * arbitrary text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* nonpublic._PREFILTER_WORDS: keep both lists the same (a test compares them). */
static const char *const WORDS[] = {"ffentlichung", "FFENTLICHUNG", "ublication", "UBLICATION"};
static const Py_ssize_t LENGTHS[] = {12, 12, 10, 10};
#define N_WORDS 4

/* The controls looked for: CONTROLS less SOH STX ETX EOT (0x01-0x04), TAB, LF and CR, that is
 * 0x00, 0x05-0x08, 0x0B-0x0C, 0x0E-0x1F and 0x7F (unsigned differences: one comparison a range). */
/* Horspool's search for several words at once (the shift table is built from all of them, over
 * the shortest word's length M): a window whose last character is in no word moves on by M. */
#define M 10
static unsigned char SHIFT[128];
static unsigned char ENDS[128]; /* the words (bit w) whose character M - 1 is c */

static void build_shift(void) {
    for (int c = 0; c < 128; c++) SHIFT[c] = M;
    for (int w = 0; w < N_WORDS; w++) ENDS[(unsigned char)WORDS[w][M - 1]] |= (unsigned char)(1u << w);
    for (int w = 0; w < N_WORDS; w++)
        for (int j = 0; j < M - 1; j++) {
            unsigned char c = (unsigned char)WORDS[w][j];
            if (SHIFT[c] > M - 1 - j) SHIFT[c] = (unsigned char)(M - 1 - j);
        }
}

/* Characters below 256 that str.isprintable() refuses (0x00-0x1F, 0x7F-0xA0, 0xAD), less those
 * allowed here (LF, SOH STX ETX EOT); from 256 on, CPython's own test (Py_UNICODE_ISPRINTABLE). */
static unsigned char REFUSED[256];

static void build_refused(void) {
    for (int c = 0; c < 256; c++) REFUSED[c] = c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD;
    REFUSED['\n'] = 0;
    for (int c = 0x01; c <= 0x04; c++) REFUSED[c] = 0;
}

#define DEFINE_PRINTABLE(NAME, CHAR)                                                    \
    static int NAME(const CHAR *t, Py_ssize_t n) {                                      \
        for (Py_ssize_t i = 0; i < n; i++) {                                            \
            Py_UCS4 c = t[i];                                                           \
            if (c < 256 ? REFUSED[c] : !Py_UNICODE_ISPRINTABLE(c)) return 0;            \
        }                                                                               \
        return 1;                                                                       \
    }

DEFINE_PRINTABLE(printable_1, Py_UCS1)
DEFINE_PRINTABLE(printable_2, Py_UCS2)
DEFINE_PRINTABLE(printable_4, Py_UCS4)

/* Two loops, each simple enough to run fast: the controls' (no branch, so the compiler can use
 * vector instructions) and the words'. */
#define DEFINE_SCAN(NAME, CHAR)                                                                   \
    static void NAME(const CHAR *t, Py_ssize_t n, Py_ssize_t *start, Py_ssize_t *end, int *odd) { \
        unsigned int found = 0;                                                                   \
        for (Py_ssize_t i = 0; i < n; i++) {                                                      \
            CHAR c = t[i];                                                                        \
            found |= (c == 0) | ((CHAR)(c - 0x05) <= 0x03) | ((CHAR)(c - 0x0B) <= 0x01) |          \
                     ((CHAR)(c - 0x0E) <= 0x11) | (c == 0x7F);                                    \
        }                                                                                         \
        *odd = found != 0;                                                                        \
        *start = -1;                                                                              \
        *end = -1;                                                                                \
        Py_ssize_t i = 0;                                                                         \
        while (i + M <= n) {                                                                      \
            CHAR last = t[i + M - 1];                                                             \
            if (last >= 128) {                                                                    \
                i += M;                                                                           \
                continue;                                                                         \
            }                                                                                     \
            for (int w = 0; ENDS[last] >> w; w++) {                                               \
                const char *word = WORDS[w];                                                      \
                Py_ssize_t len = LENGTHS[w];                                                      \
                if (!((ENDS[last] >> w) & 1u) || i + len > n) continue;                           \
                Py_ssize_t k = 0;                                                                 \
                while (k < len && t[i + k] == (CHAR)word[k]) k++;                                 \
                if (k == len) {                                                                   \
                    *start = i;                                                                   \
                    *end = i + len;                                                               \
                    return;                                                                       \
                }                                                                                 \
            }                                                                                     \
            i += SHIFT[last];                                                                     \
        }                                                                                         \
    }

DEFINE_SCAN(scan_1, Py_UCS1)
DEFINE_SCAN(scan_2, Py_UCS2)
DEFINE_SCAN(scan_4, Py_UCS4)

static PyObject *scan_envelope(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t start, end;
    int odd, printable;
    if (kind == PyUnicode_1BYTE_KIND) {
        scan_1(data, n, &start, &end, &odd);
        printable = !odd && printable_1(data, n);
    } else if (kind == PyUnicode_2BYTE_KIND) {
        scan_2(data, n, &start, &end, &odd);
        printable = !odd && printable_2(data, n);
    } else {
        scan_4(data, n, &start, &end, &odd);
        printable = !odd && printable_4(data, n);
    }
    return Py_BuildValue("nnOO", start, end, odd ? Py_True : Py_False, printable ? Py_True : Py_False);
}

static PyMethodDef methods[] = {
    {"scan_envelope", scan_envelope, METH_VARARGS,
     "The non-public marker's first word (start, end), whether odd controls occur and whether all else is printable (see the source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_envelope", "One pass over a wire message for its envelope reader, compiled.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__envelope(void) {
    build_shift();
    build_refused();
    return PyModule_Create(&module);
}
