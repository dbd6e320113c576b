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
#include <string.h>

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

/* cut_usual_marker(text, hit_start, hit_end): the non-public cut of
 * pressindex.parse.nonpublic.remove_nonpublic(text, first_word=(hit_start, hit_end)) in its usual
 * case, as (start, end, codes_start, codes_end): the text is text[:start], the codes line
 * text[codes_start:codes_end] and a line end when codes_start >= 0, then text[end:]. None whenever
 * the case is not the usual one, and the Python steps decide: the marker sentence is not exactly
 * nonpublic._USUAL's ending in the word at hit_start, or the lines above it hold a character whose
 * lower case is ASCII but itself is not (U+0130, U+212A), or a line after it may be a trailer
 * (it starts with a capital or a digit), or another of the words follows the cut. Otherwise the
 * same steps: _usual_sentence, _back_to_separator, _END, _closing_codes (their patterns are simple
 * enough to be read without backtracking; see each below). tests/parse/test_parse_wire_formats.py
 * compares it with remove_nonpublic on arbitrary text. */
#define AT(i) PyUnicode_READ(kind, data, (i))
#define BLANK(c) ((c) == ' ' || (c) == '\t')

static const char USUAL_DE[] = "Die folgenden Informationen sind nicht zur Ver"; /* then U+00F6 */
static const char USUAL_EN[] = "The following information is not for p";

static int starts_with(int kind, const void *data, Py_ssize_t n, Py_ssize_t at, const char *s, Py_ssize_t len) {
    if (at < 0 || at + len > n) return 0;
    for (Py_ssize_t k = 0; k < len; k++)
        if (AT(at + k) != (Py_UCS4)(unsigned char)s[k]) return 0;
    return 1;
}

static Py_ssize_t rfind_lf(int kind, const void *data, Py_ssize_t lo, Py_ssize_t hi) { /* str.rfind("\n", lo, hi) */
    for (Py_ssize_t i = hi - 1; i >= lo; i--)
        if (AT(i) == '\n') return i;
    return -1;
}

/* "ffentlichung" or "ublication" in text[lo:hi].lower(); -1: a character that lowers to ASCII
 * without being ASCII is there (the Python steps decide). */
static int words_in_lowered(int kind, const void *data, Py_ssize_t lo, Py_ssize_t hi) {
    static const char *const LOWER_WORDS[] = {"ffentlichung", "ublication"};
    for (Py_ssize_t i = lo; i < hi; i++) {
        Py_UCS4 c = AT(i);
        if (c == 0x130 || c == 0x131 || c == 0x212A) return -1; /* dotted and dotless i: _DOTTED_I */
    }
    for (int w = 0; w < 2; w++) {
        Py_ssize_t len = (Py_ssize_t)strlen(LOWER_WORDS[w]);
        for (Py_ssize_t i = lo; i + len <= hi; i++) {
            Py_ssize_t k = 0;
            while (k < len) {
                Py_UCS4 c = AT(i + k);
                if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
                if (c != (Py_UCS4)LOWER_WORDS[w][k]) break;
                k++;
            }
            if (k == len) return 1;
        }
    }
    return 0;
}

/* _SEPARATOR.match(line): ^[ \t]{0,5}(?:\*[ \t]{0,3}){3,10}$ or ^[ \t]{0,5}-{3,20}[ \t]{0,5}$ */
static int is_separator(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t i = a, k = 0;
    while (i < b && k < 5 && BLANK(AT(i))) i++, k++;
    if (i < b && AT(i) == '*') {
        int stars = 0;
        while (i < b && AT(i) == '*') {
            stars++, i++;
            for (k = 0; i < b && k < 3 && BLANK(AT(i)); k++) i++;
        }
        return i == b && stars >= 3 && stars <= 10;
    }
    int dashes = 0;
    while (i < b && AT(i) == '-') dashes++, i++;
    for (k = 0; i < b && k < 5 && BLANK(AT(i)); k++) i++;
    return i == b && dashes >= 3 && dashes <= 20;
}

/* _EDITOR_CODES.match(line): ^[ \t]{0,5}(?:dpa(?:[ \t]{1,3}[a-z0-9]{1,8}){1,10}|/[a-z]{1,4}(?:/[a-z]{1,4}){0,19})[ \t]{0,5}$
 * (the line holds no line end, so $ is its end); where the codes start after the blanks, or -1. */
static Py_ssize_t editor_codes_at(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t i = a, k = 0;
    while (i < b && k < 5 && BLANK(AT(i))) i++, k++;
    Py_ssize_t codes = i;
    int groups = 0;
    if (starts_with(kind, data, b, i, "dpa", 3)) {
        i += 3;
        for (;;) {
            Py_ssize_t blanks = 0, j = i;
            while (j < b && BLANK(AT(j))) j++, blanks++;
            Py_ssize_t chars = 0;
            while (j + chars < b) {
                Py_UCS4 c = AT(j + chars);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) break;
                chars++;
            }
            if (blanks < 1 || blanks > 3 || chars < 1 || chars > 8 || groups == 10) break;
            groups++, i = j + chars;
        }
        if (groups < 1) return -1;
    } else if (i < b && AT(i) == '/') {
        while (i < b && AT(i) == '/' && groups < 20) {
            Py_ssize_t chars = 0;
            while (i + 1 + chars < b && AT(i + 1 + chars) >= 'a' && AT(i + 1 + chars) <= 'z') chars++;
            if (chars < 1 || chars > 4) break;
            groups++, i += 1 + chars;
        }
        if (groups < 1) return -1;
    } else {
        return -1;
    }
    for (k = 0; i < b && k < 5 && BLANK(AT(i)); k++) i++;
    return i == b ? codes : -1;
}

static PyObject *cut_usual_marker(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    Py_ssize_t hit_start, hit_end;
    if (!PyArg_ParseTuple(args, "Unn", &text, &hit_start, &hit_end)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (hit_start < 0 || hit_end < hit_start || hit_end > n) Py_RETURN_NONE;
    /* remove_nonpublic's window: from a line start 120 to 200 characters above the hit */
    Py_ssize_t floor = hit_start - 200 > 0 ? hit_start - 200 : 0;
    Py_ssize_t lf = rfind_lf(kind, data, floor, hit_start - 120 > floor ? hit_start - 120 : floor);
    Py_ssize_t lo = lf + 1 > floor ? lf + 1 : floor;
    /* _usual_sentence */
    Py_ssize_t begin, sentence_end;
    if (starts_with(kind, data, n, hit_start, "ffentlichung", 12) && hit_start - 47 >= lo &&
        starts_with(kind, data, n, hit_start - 47, USUAL_DE, 46) && AT(hit_start - 1) == 0xF6) {
        begin = hit_start - 47, sentence_end = hit_start + 12;
    } else if (starts_with(kind, data, n, hit_start, "ublication", 10) && hit_start - 38 >= lo &&
               starts_with(kind, data, n, hit_start - 38, USUAL_EN, 38)) {
        begin = hit_start - 38, sentence_end = hit_start + 10;
    } else {
        Py_RETURN_NONE;
    }
    if (words_in_lowered(kind, data, lo, begin) != 0) Py_RETURN_NONE;
    /* _back_to_separator(text, the sentence's line start, 0): up to 4 lines up, blank ones passed */
    Py_ssize_t line_start = rfind_lf(kind, data, 0, begin) + 1;
    Py_ssize_t start = line_start, probe = line_start;
    for (int up = 0; up < 4 && probe > 0; up++) {
        Py_ssize_t prev = rfind_lf(kind, data, 0, probe - 1) + 1;
        Py_ssize_t stop = probe - 1;
        while (stop > prev && AT(stop - 1) == '\r') stop--;
        Py_ssize_t i = prev;
        while (i < stop && Py_UNICODE_ISSPACE(AT(i))) i++;
        if (i == stop) {
            probe = prev;
            continue;
        }
        if (stop - prev <= 40 && is_separator(kind, data, prev, stop)) start = prev;
        break;
    }
    /* _END.search(text, sentence_end): SOH, ETX or EOT, or a line that may be a trailer (then the
     * Python steps read it): a capital or a digit after at most 5 blanks */
    Py_ssize_t end = n;
    for (Py_ssize_t i = sentence_end; i < n; i++) {
        Py_UCS4 c = AT(i);
        if (c == 0x01 || c == 0x03 || c == 0x04) {
            end = i;
            break;
        }
        if (AT(i - 1) == '\n') {
            Py_ssize_t j = i;
            for (int k = 0; j < n && k < 5 && BLANK(AT(j)); k++) j++;
            if (j < n) {
                Py_UCS4 d = AT(j);
                if (d < 128 ? (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') : Py_UNICODE_ISDECIMAL(d))
                    Py_RETURN_NONE;
            }
        }
    }
    /* _closing_codes(text, sentence_end, end) */
    Py_ssize_t stop = end;
    while (stop > sentence_end) {
        Py_UCS4 c = AT(stop - 1);
        if (!(c == ' ' || c == '\t' || c == '\r' || c == '\n')) break;
        stop--;
    }
    Py_ssize_t codes_line = rfind_lf(kind, data, sentence_end, stop) + 1;
    if (codes_line < sentence_end) codes_line = sentence_end;
    Py_ssize_t codes_start = -1, codes_end = -1;
    if (stop - codes_line > 0 && stop - codes_line <= 120) {
        codes_start = editor_codes_at(kind, data, codes_line, stop);
        if (codes_start >= 0) codes_end = stop;
    }
    /* another of the words after the cut: the Python steps cut there too */
    Py_ssize_t more_start, more_end;
    int odd;
    if (kind == PyUnicode_1BYTE_KIND) scan_1((const Py_UCS1 *)data + end, n - end, &more_start, &more_end, &odd);
    else if (kind == PyUnicode_2BYTE_KIND) scan_2((const Py_UCS2 *)data + end, n - end, &more_start, &more_end, &odd);
    else scan_4((const Py_UCS4 *)data + end, n - end, &more_start, &more_end, &odd);
    if (more_start >= 0) Py_RETURN_NONE;
    return Py_BuildValue("nnnn", start, end, codes_start, codes_end);
}

#undef AT
#undef BLANK

static PyMethodDef methods[] = {
    {"scan_envelope", scan_envelope, METH_VARARGS,
     "The non-public marker's first word (start, end), whether odd controls occur and whether all else is printable (see the source)."},
    {"cut_usual_marker", cut_usual_marker, METH_VARARGS,
     "The non-public cut at a marker word in its usual case, or None (see the source)."},
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
