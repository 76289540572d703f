# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled loops for the per-document hot spots, straight over a text's characters (the str's
own storage, no copy).

Optional: ``pip install`` compiles this module when a C compiler is there; without it the
Python code beside each caller gives the same values (it is the reference, and the tests
compare the two: tests/test_kernels.py).

* :func:`shingle_hashes`, :func:`class_mask`, :func:`keep_classes` -- word shingle hashes and
  the cleaning before them (see :mod:`.fingerprint`).
* :func:`text_counts` -- character classes, word count and line lengths (see :mod:`.quality`).
* :func:`fold_line` -- a line's comparison key (see :func:`.clean.fold`).
* :func:`layout_flags` -- what :func:`.clean.normalize` must do to a text.
* :func:`code_bytes` -- a text in the metadata's one-byte alphabet (see :func:`.metadata.normalize.token_codes`).
* :func:`lines_with_digit` -- the date rules' pre-check (see :func:`.metadata.dates._with_digit`).
"""
import numpy as np

from libc.stdint cimport uint8_t, uint64_t
from libc.stdlib cimport free, malloc


cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index) nogil
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISPRINTABLE(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch) nogil
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyBytes_FromStringAndSize(const char* v, Py_ssize_t n)
    int PyUnicode_4BYTE_KIND


# per BMP character: 1 printable (str.isprintable), 2 white space (str.isspace), 4 a decimal digit
# (str.isdecimal); filled once at import from the same predicates (a look-up here beats calling
# them for each non-ASCII character)
cdef uint8_t _TRAITS[0x10000]


cdef void _fill_traits() noexcept:
    cdef Py_UCS4 c
    for c in range(0x10000):
        _TRAITS[c] = ((1 if Py_UNICODE_ISPRINTABLE(c) else 0) | (2 if Py_UNICODE_ISSPACE(c) else 0)
                      | (4 if Py_UNICODE_ISDECIMAL(c) else 0))


cdef inline bint _printable(Py_UCS4 c) noexcept nogil:
    return _TRAITS[c] & 1 if c <= 0xFFFF else Py_UNICODE_ISPRINTABLE(c)


cdef inline bint _space(Py_UCS4 c) noexcept nogil:
    return _TRAITS[c] & 2 if c <= 0xFFFF else Py_UNICODE_ISSPACE(c)


cdef Py_UCS4* _ucs4_buffer(Py_ssize_t n) except NULL:
    """Room for ``n`` characters (and one more, so ``n`` may be 0); the caller frees it."""
    cdef Py_UCS4* out = <Py_UCS4*> malloc(n * sizeof(Py_UCS4) + 1)
    if out == NULL:
        raise MemoryError()
    return out


cdef inline uint64_t _mix64(uint64_t x) noexcept nogil:
    x ^= x >> 30
    x *= 0xBF58476D1CE4E5B9ULL
    x ^= x >> 27
    x *= 0x94D049BB133111EBULL
    x ^= x >> 31
    return x


def shingle_hashes(str text, const uint64_t[::1] values, Py_ssize_t shingle, uint64_t p, uint64_t q):
    """uint64 hashes of the word ``shingle``-grams of a text (no character outside the BMP).

    ``values[c]`` is the value of character ``c`` in a token, 0 outside tokens; a token
    (maximal run of non-zero values) hashes to ``sum(v_j * p**j)``, a shingle of tokens
    ``t_i..t_{i+k-1}`` to ``mix64(sum(t_{i+j} * q**j))``, all modulo 2**64; one shingle of all
    tokens when there are fewer than ``shingle``; none without a token."""
    cdef Py_ssize_t n = len(text), i, j, m = 0, k, count
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c
    tokens = np.empty(n // 2 + 1, dtype=np.uint64)  # tokens are separated: at most (n+1)//2
    cdef uint64_t[::1] t = tokens
    cdef uint64_t h = 0, power = 1, v, s, qq
    cdef bint inside = False
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        v = values[c] if c <= 0xFFFF else 0
        if v:
            h += v * power
            power *= p
            inside = True
        elif inside:
            t[m] = h
            m += 1
            h = 0
            power = 1
            inside = False
    if inside:
        t[m] = h
        m += 1
    if m == 0:
        return np.empty(0, dtype=np.uint64)
    k = shingle if shingle < m else m
    count = m - k + 1
    out = np.empty(count, dtype=np.uint64)
    cdef uint64_t[::1] o = out
    for i in range(count):
        s = 0
        qq = 1
        for j in range(k):
            s += t[i + j] * qq
            qq *= q
        o[i] = _mix64(s)
    return out


def class_mask(str text, const uint8_t[::1] classes, uint8_t beyond):
    """Bit ``1 << classes[c]`` set for every class present in the text (``beyond``: the class
    of a character outside the BMP)."""
    cdef Py_ssize_t n = len(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c
    cdef unsigned long mask = 0
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        mask |= 1UL << (classes[c] if c <= 0xFFFF else beyond)
    return mask


def keep_classes(str text, const uint8_t[::1] classes, uint8_t below, uint8_t beyond):
    """The text without the characters whose class is ``below`` or more (``beyond``: the class
    of a character outside the BMP); None when it holds a lone surrogate (two of them may
    become a pair once what stood between them is gone: left to the numpy route)."""
    cdef Py_ssize_t n = len(text), i, m = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c
    cdef Py_UCS4* out = _ucs4_buffer(n)
    try:
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if 0xD800 <= c <= 0xDFFF:
                return None
            if (classes[c] if c <= 0xFFFF else beyond) < below:
                out[m] = c
                m += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, m)
    finally:
        free(out)


cdef inline bint _other_break(Py_UCS4 u) noexcept nogil:
    """A line break of str.splitlines() other than "\\n"."""
    return (u == 0x0D or u == 0x0B or u == 0x0C or u == 0x1C or u == 0x1D or u == 0x1E or u == 0x85
            or u == 0x2028 or u == 0x2029)


def text_counts(str text, const uint8_t[::1] classes):
    """(counts per class, words, other_breaks, line lengths) of a text, or None when it holds
    a character outside the BMP.

    ``classes[c]``: the class of character ``c`` (an index below 8; 1 is white space, as
    ``str.isspace``). ``words``: ``len(text.split())``. ``other_breaks``: the text holds a
    line break other than ``"\\n"``. Line lengths: those of the non-empty lines of
    ``text.splitlines()`` after ``str.strip()``, in order."""
    cdef Py_ssize_t n = len(text), i, first = -1, last = -1
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef long long counts[8]
    cdef long long words = 0
    cdef bint other_breaks = False, space, prev_space = True
    cdef Py_UCS4 u
    cdef uint8_t c
    lengths = []
    for i in range(8):
        counts[i] = 0
    for i in range(n):
        u = PyUnicode_READ(kind, data, i)
        if u > 0xFFFF:
            return None
        c = classes[u]
        counts[c] += 1
        space = c == 1
        if space:
            if u == 0x0A or _other_break(u):
                if u != 0x0A:
                    other_breaks = True
                if first >= 0:
                    lengths.append(last - first + 1)
                first = -1
        else:
            if prev_space:
                words += 1
            if first < 0:
                first = i
            last = i
        prev_space = space
    if first >= 0:
        lengths.append(last - first + 1)
    return [counts[i] for i in range(8)], words, other_breaks, lengths


cdef inline bint _is_mark(Py_UCS4 c) noexcept nogil:
    """Arabic diacritics and tatweel: clean._MARKS."""
    return ((0x0610 <= c <= 0x061A) or (0x064B <= c <= 0x065F) or c == 0x0670 or (0x06D6 <= c <= 0x06ED)
            or c == 0x0640)


def fold_line(str line):
    """``" ".join(_MARKS.sub("", line).split())``: Arabic diacritics and tatweel dropped,
    white space (``str.isspace``) runs folded to one space, none at either end."""
    cdef Py_ssize_t n = len(line), i, m = 0
    cdef int kind = PyUnicode_KIND(line)
    cdef void* data = PyUnicode_DATA(line)
    cdef Py_UCS4 c
    cdef bint gap = False
    cdef Py_UCS4* out
    if n == 0:
        return line
    out = _ucs4_buffer(n)
    try:
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if _space(c):
                gap = m > 0
            elif not _is_mark(c):
                if gap:
                    out[m] = 0x20
                    m += 1
                    gap = False
                out[m] = c
                m += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, m)
    finally:
        free(out)


def layout_flags(str text):
    """(every character but "\n" is printable, the text holds "\r", two spaces in a row,
    a space next to "\n") -- the tests :func:`.clean.normalize` makes, in one pass."""
    cdef Py_ssize_t n = len(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c, prev = 0
    cdef bint printable = True, cr = False, runs = False, edges = False
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c == 0x20:
            if prev == 0x20:
                runs = True
            elif prev == 0x0A:
                edges = True
        elif c == 0x0A:
            if prev == 0x20:
                edges = True
        elif c == 0x0D:
            cr = True
            printable = False
        elif printable and not _printable(c):
            printable = False
        prev = c
    return printable, cr, runs, edges


def normalize_spaces(str text, const uint8_t[::1] table):
    """``_LINE_EDGES.sub("\\n", _SPACES.sub(" ", _invisible().sub("", text)))`` of :mod:`.clean` in
    one pass: per BMP character ``table`` holds 1 (invisible: removed) or 2 (a space of ``_SPACES``:
    a run of them, invisible characters inside it ignored, becomes one " ", and none next to a
    "\\n"). None when the text holds a character outside the BMP that ``str.isprintable`` refuses
    (the regexes decide those)."""
    cdef Py_ssize_t n = len(text), i, m = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c
    cdef uint8_t t
    cdef bint run = False, line_start = False
    cdef Py_UCS4* out = _ucs4_buffer(n)
    try:
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c > 0xFFFF:
                if not Py_UNICODE_ISPRINTABLE(c):
                    return None
                t = 0
            else:
                t = table[c]
            if t == 1:
                continue
            if t == 2:
                if not run:
                    run = True
                    if not line_start:
                        out[m] = 0x20
                        m += 1
                continue
            run = False
            if c == 0x0A:
                if m > 0 and out[m - 1] == 0x20:  # the run before the line break
                    m -= 1
                line_start = True
            else:
                line_start = False
            out[m] = c
            m += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, m)
    finally:
        free(out)


def code_bytes(str text, const uint8_t[::1] table):
    """A text in a one-byte alphabet (see :func:`.metadata.normalize.token_codes`): byte
    ``table[c]`` per character, ``"B"`` dropped, ``"("`` and ``")"`` padded with spaces; None
    when a character maps to ``"A"`` or lies outside the BMP."""
    cdef Py_ssize_t n = len(text), i, m = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c
    cdef uint8_t b
    cdef char* out = <char*> malloc(3 * n + 1)
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c > 0xFFFF:
                return None
            b = table[c]
            if b == 0x41:  # "A": not covered
                return None
            if b == 0x42:  # "B": dropped
                continue
            if b == 0x28 or b == 0x29:  # "(" / ")"
                out[m] = 0x20
                out[m + 1] = b
                out[m + 2] = 0x20
                m += 3
            else:
                out[m] = b
                m += 1
        return PyBytes_FromStringAndSize(out, m)
    finally:
        free(out)


def lines_with_digit(lines, Py_ssize_t limit):
    """Indices of the lines whose first ``limit`` characters, once stripped, hold a decimal
    digit or a character outside the BMP (or a lone surrogate); every index when one of those
    stretches holds a "\\n" (see :func:`.metadata.dates._with_digit`)."""
    cdef Py_ssize_t index, i, start, end, n
    cdef int kind
    cdef void* data
    cdef Py_UCS4 c
    found = []
    for index, line in enumerate(lines):
        n = len(<str> line)
        kind = PyUnicode_KIND(line)
        data = PyUnicode_DATA(line)
        start = 0
        while start < n and _space(PyUnicode_READ(kind, data, start)):
            start += 1
        end = n
        while end > start and _space(PyUnicode_READ(kind, data, end - 1)):
            end -= 1
        if end - start > limit:
            end = start + limit
        hit = False
        for i in range(start, end):
            c = PyUnicode_READ(kind, data, i)
            if c == 0x0A:
                return list(range(len(lines)))
            if not hit and (c >= 0xD800 and (c <= 0xDFFF or c > 0xFFFF) or _TRAITS[c] & 4):
                hit = True
        if hit:
            found.append(index)
    return found



_fill_traits()
