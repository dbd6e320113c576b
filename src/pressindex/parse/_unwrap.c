/* Wire lines wrapped at about 70 characters → paragraphs, compiled: pressindex.parse.wire_notes.unwrap
 * in one pass over the text.
 *
 * unwrap_story(text) gives "\n\n".join(paragraphs), where the paragraphs are what these Python
 * steps give (the reference, which tests/parse/test_parse_wire_formats.py compares with this on
 * arbitrary text):
 *
 *   text = re.sub(r"-(?<=[^\W\d_]-)\n(?=[A-ZÄÖÜ])", "-", text)      # "Corona-\nPandemie"
 *   blocks = re.split(r"\n[ \t]*\n|\n(?=[ \t])", text)             # blank line, indented line
 *   paragraphs = [p for p in (b.replace("\n", " ").strip() for b in blocks) if p]
 *
 * In Python each step is a scan of the whole text and a copy (a fifth of the cost of reading an
 * IPTC 7901 message); here a line end is looked at once. A line end the first step removes is
 * followed by a capital and preceded by "-", so it is never part of a paragraph break: the breaks
 * are found on the original text. [^\W\d_] is re's: alphanumeric and not a decimal digit. strip()
 * removes what str.isspace() calls space. A paragraph holds no line end, so the caller may split
 * the result at "\n\n" again.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* One function per string kind (1, 2 or 4 bytes a character), written by this macro: the text
 * is read and the story written in its own kind, line by line. A line's characters are copied
 * in one memcpy; only its first and last characters are looked at (for a paragraph's leading
 * and trailing spaces) and its line end (break, compound or space). */
#define DEFINE_UNWRAP(NAME, CHAR)                                                                 \
    static Py_ssize_t NAME(const CHAR *t, Py_ssize_t n, CHAR *out, Py_ssize_t cap) {              \
        Py_ssize_t w = 0;     /* written */                                                       \
        Py_ssize_t kept = 0;  /* written up to the last character that is not a space */          \
        int in_paragraph = 0; /* a character that is not a space was written in this block */     \
        int paragraphs = 0;                                                                       \
        Py_ssize_t i = 0;                                                                         \
        while (i < n) {                                                                           \
            Py_ssize_t j = i;                                                                     \
            while (j < n && t[j] != '\n') j++;                                                    \
            /* the line [i, j): a paragraph's leading spaces are skipped */                       \
            Py_ssize_t a = i;                                                                     \
            if (!in_paragraph) {                                                                  \
                while (a < j && Py_UNICODE_ISSPACE(t[a])) a++;                                    \
                if (a < j) {                                                                      \
                    if (paragraphs++) {                                                           \
                        if (w + 2 + (j - a) > cap) return -1; /* never: see unwrap_story */       \
                        out[w++] = '\n';                                                          \
                        out[w++] = '\n';                                                          \
                    }                                                                             \
                    in_paragraph = 1;                                                             \
                }                                                                                 \
            }                                                                                     \
            if (a < j) {                                                                          \
                if (w + (j - a) > cap) return -1;                                                 \
                memcpy(out + w, t + a, (size_t)(j - a) * sizeof(CHAR));                           \
                w += j - a;                                                                       \
                Py_ssize_t b = j;                                                                 \
                while (b > a && Py_UNICODE_ISSPACE(t[b - 1])) b--;                                \
                if (b > a) kept = w - (j - b);                                                    \
            }                                                                                     \
            if (j >= n) break;                                                                    \
            /* the line end at j: a paragraph break, a compound's hyphen, or a space */           \
            Py_ssize_t k = j + 1;                                                                 \
            while (k < n && (t[k] == ' ' || t[k] == '\t')) k++;                                   \
            if (k < n && t[k] == '\n') { /* a blank line: the next block starts after it */        \
                w = kept;                                                                         \
                in_paragraph = 0;                                                                 \
                i = k + 1;                                                                        \
            } else if (k > j + 1) { /* an indented line: its indent is the next block's */         \
                w = kept;                                                                         \
                in_paragraph = 0;                                                                 \
                i = j + 1;                                                                        \
            } else {                                                                              \
                if (!joins_compound(t, n, j) && in_paragraph) {                                   \
                    if (w + 1 > cap) return -1;                                                   \
                    out[w++] = ' ';                                                               \
                }                                                                                 \
                i = j + 1;                                                                        \
            }                                                                                     \
        }                                                                                         \
        return kept;                                                                              \
    }

/* The line end at `at` ends "X-" (X a letter: alphanumeric, not a decimal digit) and a capital
 * follows: the hyphen stays, the line end goes. */
#define DEFINE_JOINS_COMPOUND(NAME, CHAR)                                                         \
    static inline int NAME(const CHAR *t, Py_ssize_t n, Py_ssize_t at) {                          \
        if (at < 2 || at + 1 >= n || t[at - 1] != '-') return 0;                                  \
        Py_UCS4 before = t[at - 2], after = t[at + 1];                                            \
        if (!Py_UNICODE_ISALNUM(before) || Py_UNICODE_ISDECIMAL(before)) return 0;                \
        return (after >= 'A' && after <= 'Z') || after == 0xC4 || after == 0xD6 || after == 0xDC; \
    }

#define joins_compound joins_compound_1
DEFINE_JOINS_COMPOUND(joins_compound_1, Py_UCS1)
DEFINE_UNWRAP(unwrap_1, Py_UCS1)
#undef joins_compound
#define joins_compound joins_compound_2
DEFINE_JOINS_COMPOUND(joins_compound_2, Py_UCS2)
DEFINE_UNWRAP(unwrap_2, Py_UCS2)
#undef joins_compound
#define joins_compound joins_compound_4
DEFINE_JOINS_COMPOUND(joins_compound_4, Py_UCS4)
DEFINE_UNWRAP(unwrap_4, Py_UCS4)
#undef joins_compound

static PyObject *unwrap_story(PyObject *self, PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    /* The story never outgrows the text: every character written is one of the text's, a space
     * for a line end, or the "\n\n" between two paragraphs, which stands for a blank line (two
     * line ends at least) or for a line end and the next paragraph's indent (not written).
     * The writes are bounded all the same. */
    Py_ssize_t cap = n + 2;
    void *out = PyMem_Malloc((size_t)cap * (size_t)kind);
    if (out == NULL) return PyErr_NoMemory();
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t w;
    if (kind == PyUnicode_1BYTE_KIND) w = unwrap_1(data, n, out, cap);
    else if (kind == PyUnicode_2BYTE_KIND) w = unwrap_2(data, n, out, cap);
    else w = unwrap_4(data, n, out, cap);
    if (w < 0) {
        PyMem_Free(out);
        PyErr_SetString(PyExc_SystemError, "unwrap_story: the story outgrew its text");
        return NULL;
    }
    PyObject *story = PyUnicode_FromKindAndData(kind, out, w);
    PyMem_Free(out);
    return story;
}

/* collapse_spaces(text): tabs made spaces, then every run of spaces one space; the text itself
 * when that changes nothing. What these Python steps give (pressindex.parse.clean's
 * _collapse_spaces, which tests/parse/test_parse_wire_formats.py compares with this):
 *
 *   text = text.replace("\t", " ")
 *   text = re.sub(" {2,}", " ", text)
 *
 * In Python the searches for "  " (a two-character needle: every space a candidate) cost 7 us on a
 * 2.6 KB wire story, here 2: one pass without a branch says whether anything is to change. */
#define DEFINE_COLLAPSE(NAME, CHAR)                                                               \
    static Py_ssize_t NAME(const CHAR *t, Py_ssize_t n, CHAR **out) {                             \
        /* first whether there is anything to change: no branch, so the compiler can use vector \
         * instructions (most stories hold no tab and no run) */                                  \
        unsigned int found = n > 0 && t[n - 1] == '\t';                                           \
        for (Py_ssize_t i = 0; i + 1 < n; i++)                                                    \
            found |= (t[i] == '\t') | ((t[i] == ' ') & (t[i + 1] == ' '));                        \
        if (!found) return -1; /* nothing to change */                                           \
        CHAR *o = PyMem_Malloc((size_t)n * sizeof(CHAR));                                         \
        if (o == NULL) return -2;                                                                 \
        Py_ssize_t w = 0;                                                                         \
        for (Py_ssize_t i = 0; i < n; i++) {                                                      \
            CHAR c = t[i] == '\t' ? (CHAR)' ' : t[i];                                             \
            if (c == ' ' && w > 0 && o[w - 1] == ' ') continue;                                   \
            o[w++] = c;                                                                           \
        }                                                                                         \
        *out = o;                                                                                 \
        return w;                                                                                 \
    }

DEFINE_COLLAPSE(collapse_1, Py_UCS1)
DEFINE_COLLAPSE(collapse_2, Py_UCS2)
DEFINE_COLLAPSE(collapse_4, Py_UCS4)

static PyObject *collapse_spaces(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    void *out = NULL;
    Py_ssize_t w;
    if (kind == PyUnicode_1BYTE_KIND) w = collapse_1(data, n, (Py_UCS1 **)&out);
    else if (kind == PyUnicode_2BYTE_KIND) w = collapse_2(data, n, (Py_UCS2 **)&out);
    else w = collapse_4(data, n, (Py_UCS4 **)&out);
    if (w == -1) return Py_NewRef(text);
    if (w == -2) return PyErr_NoMemory();
    PyObject *collapsed = PyUnicode_FromKindAndData(kind, out, w);
    PyMem_Free(out);
    return collapsed;
}

static PyMethodDef methods[] = {
    {"unwrap_story", unwrap_story, METH_VARARGS,
     "Paragraphs of wrapped wire lines, joined by a blank line (see the module's source)."},
    {"collapse_spaces", collapse_spaces, METH_VARARGS,
     "Tabs made spaces, runs of spaces one space (see the module's source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_unwrap", "Wrapped wire lines to paragraphs, compiled.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__unwrap(void) { return PyModule_Create(&module); }
