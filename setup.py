"""Build hook for the optional compiled kernels (corpuspack/builder/_kernels.pyx).

Everything else is declared in pyproject.toml. Where no C compiler is available (or it fails),
the install goes on without the extension, says so in one line, and corpuspack uses its Python
code instead (same values, slower): ``corpuspack --version`` tells which.
"""
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NOTICE = ("corpuspack: the compiled kernels were not built ({}); the Python code will be used "
          "(same output, slower). Install a C compiler and the Python headers to build them.\n")


class OptionalBuildExt(build_ext):
    """``build_ext`` for an extension that may fail to build: one line instead of an error.
    (``cythonize`` returns new Extension objects without ``optional=True``, so setuptools'
    own handling of optional extensions cannot be relied on.)"""

    def run(self):
        try:
            super().run()
        except Exception as e:  # noqa: BLE001 - no compiler, a compiler that fails, no headers
            sys.stderr.write(NOTICE.format(f"{type(e).__name__}: {e}"))

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as e:  # noqa: BLE001
            sys.stderr.write(NOTICE.format(f"{type(e).__name__}: {e}"))


try:
    from Cython.Build import cythonize
except ImportError:  # building without Cython: no kernels
    ext_modules = []
else:
    ext_modules = cythonize(
        [Extension("corpuspack.builder._kernels", ["corpuspack/builder/_kernels.pyx"], optional=True,
                   extra_compile_args=["-O3"])],
        compiler_directives={"language_level": 3},
    )
    for ext in ext_modules:
        ext.optional = True

setup(ext_modules=ext_modules, cmdclass={"build_ext": OptionalBuildExt})
