"""Build hook for the optional compiled kernels (corpuspack/builder/_kernels.pyx).

Everything else is declared in pyproject.toml. Where no C compiler is available the build
goes on without the extension, and corpuspack uses its numpy code instead (same values).
"""
from setuptools import Extension, setup

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

setup(ext_modules=ext_modules)
